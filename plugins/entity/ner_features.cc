#include "ner_features.h"

#include <algorithm>
#include <string>

#include "hash_table.h"
#include "labels.h"
#include "text_util.h"

namespace docanalysis::entity {
namespace {

// Feature templates. The numbers are part of the model format: never renumber.
enum Template : uint64_t {
  kBias = 1,
  kWord = 2,
  kLower = 3,
  kShape = 4,
  kShortShape = 5,
  kPrefix = 6,  // + length - 1 (6..9)
  kSuffix = 10, // + length - 1 (10..13)
  kLowerPrev = 14,
  kLowerNext = 15,
  kLowerPrev2 = 16,
  kLowerNext2 = 17,
  kShapePrev = 18,
  kShapeNext = 19,
  kShapePrevCur = 20,
  kShapeCurNext = 21,
  kLowerPrevCur = 22,
  kLowerCurNext = 23,
  kFirstShape = 24,
  kSentClassShape = 25,
  kSentClassLower = 26,
  kGaz = 27,
  kGazPrev = 28,
  kGazNext = 29,
  kGazCaps = 30,
  kDocCaps = 31,
  kDocCapsShape = 32,
  kCapsRun = 33,
  kLowerPrevShape = 34,
  kShapeLowerNext = 35,
  kLengthCaps = 36,
  kHyphenFirst = 37,
  kHyphenLast = 38,
  kLastInSentence = 39,
  kShape2PrevCur = 40,
  kDocNumericShape = 41,
  kDocNumericGaz = 42,
  kClusterFine = 43,
  kClusterMid = 44,
  kClusterCoarse = 45,
  kClusterMidCaps = 46,
  kClusterPrev = 47,      // mid and fine cluster of the previous token (two keys, b = level)
  kClusterNext = 48,
  kClusterPrev2 = 49,
  kClusterNext2 = 58,
  kClusterPrevCur = 59,   // mid clusters of the previous and this token
  kClusterCurNext = 60,
  // Second stage.
  kStage1Label = 50,
  kStage1LabelShape = 51,
  kDocMajority = 53,
  kDocMajorityCaps = 54,
  kSuperEntity = 55,
  kDocTypesSeen = 56,
  kStage1Context = 57,
};

inline uint64_t Key(uint64_t tid, uint64_t v) { return Combine(Mix64(tid), v); }
inline uint64_t Key(uint64_t tid, uint64_t a, uint64_t b) { return Combine(Combine(Mix64(tid), a), b); }

constexpr size_t kMaxAffix = 4;
constexpr size_t kMaxShape = 12;
const uint64_t kBos = HashBytes("<s>");
const uint64_t kEos = HashBytes("</s>");

bool Capitalised(CapClass c) {
  return c == CapClass::kInitialCap || c == CapClass::kAllCaps || c == CapClass::kMixed;
}

// 0 normal, 1 all caps (headline), 2 title case.
int SentenceClass(const std::vector<TokenInfo>& info, const Segment& seg) {
  int letters = 0, upper = 0, initial = 0;
  for (uint32_t i = seg.begin; i < seg.end; ++i) {
    const TokenInfo& t = info[i];
    if (!t.letters) continue;
    ++letters;
    if (t.caps == CapClass::kAllCaps || t.caps == CapClass::kMixed) ++upper;
    if (t.caps == CapClass::kInitialCap) ++initial;
  }
  if (letters >= 2 && upper == letters) return 1;
  if (letters >= 3 && 4 * (upper + initial) >= 3 * letters) return 2;
  return 0;
}

void FillAffixes(std::string_view lw, TokenInfo& t) {
  for (size_t k = 0; k < kMaxAffix; ++k) {
    bool ok = lw.size() > k + 1;
    t.prefix[k] = ok ? HashBytes(lw.substr(0, k + 1)) : 0;
    t.suffix[k] = ok ? HashBytes(lw.substr(lw.size() - k - 1)) : 0;
  }
  size_t dash = lw.find('-');
  if (dash != std::string_view::npos && dash > 0 && dash + 1 < lw.size()) {
    t.hyphen_first = HashBytes(lw.substr(0, dash));
    t.hyphen_last = HashBytes(lw.substr(lw.rfind('-') + 1));
  } else {
    t.hyphen_first = t.hyphen_last = 0;
  }
}

}  // namespace

void FillTokenInfo(std::string_view w, TokenInfo& t, std::string& scratch) {
  t.word = HashBytes(w);
  scratch.clear();
  AppendLower(w, scratch);
  std::string_view lw = scratch;
  t.lower = HashBytes(lw);
  t.caps = ClassifyCaps(w);
  t.letters = t.caps != CapClass::kNoLetters;
  t.gaz = 0;
  FillAffixes(lw, t);  // before `scratch` (which `lw` views) is reused
  scratch.clear();
  AppendShortShape(w, kMaxShape, scratch);
  t.short_shape = HashBytes(scratch);
  scratch.clear();
  AppendShape(w, kMaxShape, scratch);
  t.shape = HashBytes(scratch);
  t.length_bucket = static_cast<uint8_t>(w.size() <= 3 ? w.size() : w.size() <= 6 ? 4 : w.size() <= 10 ? 5 : 6);
  t.numeric = IsNumeric(w);
  t.gaz_first = -1;
  t.cluster = 0;
}

namespace {
void AppendPrev1(uint64_t lower, uint64_t short_shape, uint64_t*& k) {
  *k++ = Key(kLowerPrev, lower);
  *k++ = Key(kShapePrev, short_shape);
}
void AppendNext1(uint64_t lower, uint64_t short_shape, uint64_t*& k) {
  *k++ = Key(kLowerNext, lower);
  *k++ = Key(kShapeNext, short_shape);
}
}  // namespace

void WordTypeKeysOf(const TokenInfo& t, WordTypeKeys* out, bool has_clusters) {
  uint64_t* k = out->keys;
  out->begin[WordTypeKeys::kStatic] = 0;
  *k++ = Key(kBias, 0);
  *k++ = Key(kWord, t.word);
  *k++ = Key(kLower, t.lower);
  *k++ = Key(kShape, t.shape);
  *k++ = Key(kShortShape, t.short_shape);
  for (size_t a = 0; a < kMaxAffix; ++a) {
    if (t.prefix[a]) *k++ = Key(kPrefix + a, t.prefix[a]);
    if (t.suffix[a]) *k++ = Key(kSuffix + a, t.suffix[a]);
  }
  *k++ = Key(kLengthCaps, t.length_bucket, static_cast<uint64_t>(t.caps));
  if (t.hyphen_first) {
    *k++ = Key(kHyphenFirst, t.hyphen_first);
    *k++ = Key(kHyphenLast, t.hyphen_last);
  }
  // Word clusters (a word the clusters do not know has id 0 at every level: unknown words are
  // evidence too). Models without clusters get none of these keys.
  const bool clustered = has_clusters;
  const uint64_t fine = WordClusters::Fine(t.cluster), mid = WordClusters::Mid(t.cluster);
  if (clustered) {
    *k++ = Key(kClusterFine, fine);
    *k++ = Key(kClusterMid, mid);
    *k++ = Key(kClusterCoarse, WordClusters::Coarse(t.cluster));
    *k++ = Key(kClusterMidCaps, mid, static_cast<uint64_t>(t.caps));
  }
  out->begin[WordTypeKeys::kAsPrev1] = static_cast<uint8_t>(k - out->keys);
  AppendPrev1(t.lower, t.short_shape, k);
  if (clustered) {
    *k++ = Key(kClusterPrev, 0, mid);
    *k++ = Key(kClusterPrev, 1, fine);
  }
  out->begin[WordTypeKeys::kAsNext1] = static_cast<uint8_t>(k - out->keys);
  AppendNext1(t.lower, t.short_shape, k);
  if (clustered) {
    *k++ = Key(kClusterNext, 0, mid);
    *k++ = Key(kClusterNext, 1, fine);
  }
  out->begin[WordTypeKeys::kAsPrev2] = static_cast<uint8_t>(k - out->keys);
  *k++ = Key(kLowerPrev2, t.lower);
  if (clustered) *k++ = Key(kClusterPrev2, mid);
  out->begin[WordTypeKeys::kAsNext2] = static_cast<uint8_t>(k - out->keys);
  *k++ = Key(kLowerNext2, t.lower);
  if (clustered) *k++ = Key(kClusterNext2, mid);
  out->begin[WordTypeKeys::kKinds] = static_cast<uint8_t>(k - out->keys);
}

void BoundaryKeys(WordTypeKeys* out) {
  uint64_t* k = out->keys;
  out->begin[WordTypeKeys::kStatic] = 0;
  out->begin[WordTypeKeys::kAsPrev1] = 0;
  AppendPrev1(kBos, kBos, k);
  out->begin[WordTypeKeys::kAsNext1] = static_cast<uint8_t>(k - out->keys);
  AppendNext1(kEos, kEos, k);
  out->begin[WordTypeKeys::kAsPrev2] = static_cast<uint8_t>(k - out->keys);
  *k++ = Key(kLowerPrev2, kBos);
  out->begin[WordTypeKeys::kAsNext2] = static_cast<uint8_t>(k - out->keys);
  *k++ = Key(kLowerNext2, kEos);
  out->begin[WordTypeKeys::kKinds] = static_cast<uint8_t>(k - out->keys);
}

namespace {
// Length in bytes of a possessive ending ('s, ’s) of a word token, or 0.
size_t PossessiveLength(std::string_view w) {
  if (w.size() >= 4 && (w.back() == 's' || w.back() == 'S')) {
    if (w[w.size() - 2] == '\'') return 2;
    if (w.size() >= 6 && w.compare(w.size() - 4, 3, "\xE2\x80\x99") == 0) return 4;
  }
  return 0;
}
}  // namespace

bool SplitPossessives(const DocView& doc, std::vector<docanalysis_token>* tokens,
                      std::vector<docanalysis_sentence>* sentences) {
  tokens->clear();
  sentences->clear();
  size_t splits = 0;
  for (size_t i = 0; i < doc.token_count; ++i) {
    const docanalysis_token& t = doc.tokens[i];
    if (t.kind == DOCANALYSIS_TOKEN_WORD && PossessiveLength(doc.text.substr(t.begin, t.end - t.begin))) ++splits;
  }
  if (splits == 0) return false;
  // new index of old token i = i + number of splits before i
  std::vector<uint32_t> index(doc.token_count + 1);
  tokens->reserve(doc.token_count + splits);
  for (size_t i = 0; i < doc.token_count; ++i) {
    index[i] = static_cast<uint32_t>(tokens->size());
    const docanalysis_token& t = doc.tokens[i];
    size_t len = t.kind == DOCANALYSIS_TOKEN_WORD ? PossessiveLength(doc.text.substr(t.begin, t.end - t.begin)) : 0;
    if (len == 0) {
      tokens->push_back(t);
      continue;
    }
    uint32_t cut = t.end - static_cast<uint32_t>(len);
    tokens->push_back({t.begin, cut, t.kind, t.flags});
    tokens->push_back({cut, t.end, DOCANALYSIS_TOKEN_WORD, 0});
  }
  index[doc.token_count] = static_cast<uint32_t>(tokens->size());
  for (size_t s = 0; s < doc.sentence_count; ++s) {
    docanalysis_sentence x = doc.sentences[s];
    if (x.token_begin > doc.token_count || x.token_end > doc.token_count || x.token_begin > x.token_end) continue;
    x.token_begin = index[x.token_begin];
    x.token_end = index[x.token_end];
    sentences->push_back(x);
  }
  return true;
}

std::vector<Segment> SegmentsOf(const DocView& doc) {
  std::vector<Segment> out;
  uint32_t n = static_cast<uint32_t>(doc.token_count);
  uint32_t next = 0;
  for (size_t s = 0; s < doc.sentence_count; ++s) {
    uint32_t b = doc.sentences[s].token_begin, e = doc.sentences[s].token_end;
    if (b < next) b = next;
    if (e > n) e = n;
    if (b >= e) continue;
    if (b > next) out.push_back({next, b});
    out.push_back({b, e});
    next = e;
  }
  if (next < n) out.push_back({next, n});
  return out;
}

__attribute__((flatten)) void FeatureExtractor::Extract(const DocView& doc, const std::vector<Segment>& segments,
                               const uint8_t* stage1_labels, FeatureMatrix* out,
                               const FeatureMatrix* stage1_features, const ExtractOptions& options) const {
  const size_t n = doc.token_count;
  // Whether to compute the first-stage features, or copy them from `stage1_features`.
  const bool base = stage1_labels == nullptr || stage1_features == nullptr || stage1_features->token_count() != n;
  out->keys.clear();
  out->offsets.assign(1, 0);
  out->keys.reserve(n * 48);
  out->offsets.reserve(n + 1);

  std::vector<TokenInfo> own_info;
  const bool given = options.info != nullptr && options.info->size() == n;
  if (!given) {
    std::string scratch;
    own_info.resize(n);
    for (size_t i = 0; i < n; ++i)
      FillTokenInfo(doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin), own_info[i],
                    scratch);
    if (clusters_ != nullptr)
      for (size_t i = 0; i < n; ++i) own_info[i].cluster = clusters_->Find(own_info[i].lower);
  }
  const std::vector<TokenInfo>& info = given ? *options.info : own_info;
  std::vector<uint32_t> gaz(n, 0);  // gazetteer bits per token

  // Gazetteer matches, per segment.
  if (gazetteer_ != nullptr && gazetteer_->entries() > 0) {
    std::vector<uint64_t> keys(n);
    for (size_t i = 0; i < n; ++i) keys[i] = info[i].lower;  // == Gazetteer::TokenKey(lowercased)
    std::vector<uint32_t> bits(n, 0);
    std::vector<int32_t> first;
    if (given && options.info_has_gaz_first) {
      first.resize(n);
      for (size_t i = 0; i < n; ++i) first[i] = info[i].gaz_first;
    }
    for (const Segment& seg : segments)
      gazetteer_->Match(keys.data() + seg.begin, seg.end - seg.begin, bits.data() + seg.begin,
                        first.empty() ? nullptr : first.data() + seg.begin);
    gaz = std::move(bits);
  }

  // Segment context per token.
  std::vector<uint8_t> sent_class(n, 0), first(n, 0), last(n, 0);
  for (const Segment& seg : segments) {
    uint8_t c = static_cast<uint8_t>(SentenceClass(info, seg));
    for (uint32_t i = seg.begin; i < seg.end; ++i) sent_class[i] = c;
    // The first token with letters or digits counts as sentence-initial (skips opening quotes).
    uint32_t f = seg.begin;
    while (f < seg.end && info[f].caps == CapClass::kNoLetters && !info[f].numeric) ++f;
    if (f < seg.end) first[f] = 1;
    last[seg.end - 1] = 1;
  }

  // Document evidence: how each word is written elsewhere in the document.
  struct CapsCounts {
    uint16_t lower = 0;
    uint16_t midcap = 0;
  };
  FlatHashMap<CapsCounts> doc_caps;
  doc_caps.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const TokenInfo& t = info[i];
    if (!t.letters) continue;
    CapsCounts& c = doc_caps.Insert(t.lower);
    if (t.caps == CapClass::kLower) {
      if (c.lower < 0xFFFF) ++c.lower;
    } else if (t.caps == CapClass::kInitialCap && !first[i] && sent_class[i] == 0) {
      if (c.midcap < 0xFFFF) ++c.midcap;
    }
  }

  // Second-stage document statistics from the first stage's labels.
  struct TypeCounts {
    uint16_t n[kNumTypes + 1] = {0, 0, 0, 0, 0};  // per type, and [kNumTypes] = O
  };
  struct SuperCounts {
    uint16_t n[kNumTypes * 3] = {};  // type * 3 + position (0 first, 1 inside, 2 last)
  };
  FlatHashMap<TypeCounts> doc_types;
  FlatHashMap<SuperCounts> doc_super;
  std::vector<int8_t> super_code(n, -1);  // the token's own (type, position) in a multi-token entity
  if (stage1_labels != nullptr) {
    for (size_t i = 0; i < n; ++i) {
      const TokenInfo& t = info[i];
      if (!t.letters || (t.caps == CapClass::kLower && !caseless_)) continue;
      int type = LabelType(stage1_labels[i]);
      TypeCounts& c = doc_types.Insert(t.lower);
      uint16_t& v = c.n[type < 0 ? kNumTypes : type];
      if (v < 0xFFFF) ++v;
    }
    for (size_t i = 0; i < n; ++i) {
      int part = LabelPart(stage1_labels[i]);
      if (part < 0 || part == kU) continue;
      int type = LabelType(stage1_labels[i]);
      int pos = part == kB ? 0 : part == kI ? 1 : 2;
      super_code[i] = static_cast<int8_t>(type * 3 + pos);
      uint16_t& v = doc_super.Insert(info[i].lower).n[type * 3 + pos];
      if (v < 0xFFFF) ++v;
    }
  }

  // Share of numeric tokens in the document: high in sports results and market tables, where
  // place names are often teams (ORG).
  size_t numeric = 0;
  for (size_t i = 0; i < n; ++i)
    if (info[i].numeric) ++numeric;
  const uint64_t doc_numeric = n == 0 ? 0 : std::min<uint64_t>(4, numeric * 20 / n);  // 5% buckets, capped

  std::vector<uint8_t> run_code(n, 0);
  for (const Segment& seg : segments) {
    uint32_t i = seg.begin;
    while (i < seg.end) {
      if (!Capitalised(info[i].caps)) {
        ++i;
        continue;
      }
      uint32_t j = i;
      while (j < seg.end && Capitalised(info[j].caps)) ++j;
      uint32_t len = j - i;
      uint8_t lb = static_cast<uint8_t>(std::min<uint32_t>(len, 4));
      for (uint32_t k = i; k < j; ++k) {
        uint8_t pos = len == 1 ? 3 : k == i ? 0 : k + 1 == j ? 2 : 1;
        run_code[k] = static_cast<uint8_t>(1 + pos * 8 + lb);
      }
      i = j;
    }
  }

  const bool clustered = clusters_ != nullptr && clusters_->size() > 0;
  auto& keys = out->keys;
  for (const Segment& seg : segments) {
    for (uint32_t i = seg.begin; i < seg.end; ++i) {
      // Tokens before this segment's first keep an offset entry; segments are in order.
      while (out->offsets.size() < i + 1) out->offsets.push_back(static_cast<uint32_t>(keys.size()));
      const TokenInfo& t = info[i];
      const bool has_p1 = i > seg.begin, has_p2 = i > seg.begin + 1;
      const bool has_n1 = i + 1 < seg.end, has_n2 = i + 2 < seg.end;
      const uint64_t lp1 = has_p1 ? info[i - 1].lower : kBos;
      const uint64_t ln1 = has_n1 ? info[i + 1].lower : kEos;
      const uint64_t sp1 = has_p1 ? info[i - 1].short_shape : kBos;
      const uint64_t sp2 = has_p2 ? info[i - 2].short_shape : kBos;
      const uint64_t sn1 = has_n1 ? info[i + 1].short_shape : kEos;
      const uint64_t caps = static_cast<uint64_t>(t.caps);
      const uint64_t sc = sent_class[i];

      if (!base) {
        keys.insert(keys.end(), stage1_features->keys.begin() + stage1_features->offsets[i],
                    stage1_features->keys.begin() + stage1_features->offsets[i + 1]);
      } else {
      if (!options.omit_word_type) {
        // The word-type keys: the token's own, and those of its neighbours (or the boundaries).
        WordTypeKeys own, p1, n1, p2, n2;
        WordTypeKeysOf(t, &own, clustered);
        if (has_p1) WordTypeKeysOf(info[i - 1], &p1, clustered); else BoundaryKeys(&p1);
        if (has_n1) WordTypeKeysOf(info[i + 1], &n1, clustered); else BoundaryKeys(&n1);
        if (has_p2) WordTypeKeysOf(info[i - 2], &p2, clustered); else BoundaryKeys(&p2);
        if (has_n2) WordTypeKeysOf(info[i + 2], &n2, clustered); else BoundaryKeys(&n2);
        auto add = [&keys](const WordTypeKeys& w, int kind) {
          keys.insert(keys.end(), w.keys + w.begin[kind], w.keys + w.begin[kind + 1]);
        };
        add(own, WordTypeKeys::kStatic);
        add(p1, WordTypeKeys::kAsPrev1);
        add(n1, WordTypeKeys::kAsNext1);
        add(p2, WordTypeKeys::kAsPrev2);
        add(n2, WordTypeKeys::kAsNext2);
      }
      keys.push_back(Key(kShapePrevCur, sp1, t.short_shape));
      keys.push_back(Key(kShapeCurNext, t.short_shape, sn1));
      keys.push_back(Key(kShape2PrevCur, Combine(sp2, sp1), t.short_shape));
      keys.push_back(Key(kLowerPrevCur, lp1, t.lower));
      if (clustered) {
        const uint64_t cm = WordClusters::Mid(t.cluster);
        keys.push_back(Key(kClusterPrevCur, has_p1 ? WordClusters::Mid(info[i - 1].cluster) : kBos, cm));
        keys.push_back(Key(kClusterCurNext, cm, has_n1 ? WordClusters::Mid(info[i + 1].cluster) : kEos));
      }
      keys.push_back(Key(kLowerCurNext, t.lower, ln1));
      keys.push_back(Key(kLowerPrevShape, lp1, t.short_shape));
      keys.push_back(Key(kShapeLowerNext, t.short_shape, ln1));
      if (first[i]) keys.push_back(Key(kFirstShape, t.short_shape));
      if (last[i]) keys.push_back(Key(kLastInSentence, t.short_shape));
      keys.push_back(Key(kSentClassShape, sc, t.short_shape));
      if (sc != 0) keys.push_back(Key(kSentClassLower, sc, t.lower));
      if (run_code[i]) keys.push_back(Key(kCapsRun, run_code[i], sc));
      if (t.letters && (t.caps != CapClass::kLower || caseless_)) {
        keys.push_back(Key(kDocNumericShape, doc_numeric, t.short_shape));
      }
      for (uint32_t bits = gaz[i]; bits; bits &= bits - 1) {
        uint64_t b = static_cast<uint64_t>(__builtin_ctz(bits));
        keys.push_back(Key(kGaz, b));
        keys.push_back(Key(kGazCaps, b, caps));
        if (t.caps != CapClass::kLower || caseless_) {
          keys.push_back(Key(kDocNumericGaz, doc_numeric, b));
        }
      }
      if (has_p1)
        for (uint32_t bits = gaz[i - 1]; bits; bits &= bits - 1)
          keys.push_back(Key(kGazPrev, static_cast<uint64_t>(__builtin_ctz(bits))));
      if (has_n1)
        for (uint32_t bits = gaz[i + 1]; bits; bits &= bits - 1)
          keys.push_back(Key(kGazNext, static_cast<uint64_t>(__builtin_ctz(bits))));
      if (t.letters && t.caps != CapClass::kLower && !caseless_) {
        const CapsCounts* c = doc_caps.Find(t.lower);
        int self_mid = (t.caps == CapClass::kInitialCap && !first[i] && sc == 0) ? 1 : 0;
        uint64_t lower_elsewhere = (c && c->lower > 0) ? 1 : 0;
        uint64_t mid_elsewhere = (c && c->midcap > self_mid) ? 1 : 0;
        uint64_t ctx = first[i] ? 1 : sc != 0 ? 2 : 0;
        uint64_t code = ctx * 4 + lower_elsewhere * 2 + mid_elsewhere;
        keys.push_back(Key(kDocCaps, code));
        keys.push_back(Key(kDocCapsShape, code, t.short_shape));
      }
      }  // base
      if (stage1_labels != nullptr) {
        uint64_t own = stage1_labels[i];
        keys.push_back(Key(kStage1Label, own));
        keys.push_back(Key(kStage1LabelShape, own, t.short_shape));
        if (t.letters && (t.caps != CapClass::kLower || caseless_)) {
          const TypeCounts* c = doc_types.Find(t.lower);
          if (c != nullptr) {
            TypeCounts others = *c;
            int own_type = LabelType(stage1_labels[i]);
            --others.n[own_type < 0 ? kNumTypes : own_type];
            int best = -1, total = 0;
            uint64_t seen = 0;
            for (int k = 0; k <= kNumTypes; ++k) {
              total += others.n[k];
              if (others.n[k] > 0 && k < kNumTypes) seen |= 1u << k;
              if (others.n[k] > 0 && (best < 0 || others.n[k] > others.n[best])) best = k;
            }
            if (total > 0) {
              keys.push_back(Key(kDocMajority, static_cast<uint64_t>(best)));
              keys.push_back(Key(kDocMajorityCaps, static_cast<uint64_t>(best), caps * 4 + sc));
              keys.push_back(Key(kDocTypesSeen, seen));
            }
          }
        }
        if (t.letters && (t.caps != CapClass::kLower || caseless_)) {
          const SuperCounts* c = doc_super.Find(t.lower);
          if (c != nullptr) {
            SuperCounts others = *c;
            if (super_code[i] >= 0) --others.n[super_code[i]];
            int best = -1;
            for (int k = 0; k < kNumTypes * 3; ++k)
              if (others.n[k] > 0 && (best < 0 || others.n[k] > others.n[best])) best = k;
            if (best >= 0) keys.push_back(Key(kSuperEntity, static_cast<uint64_t>(best)));
          }
        }
      }
      out->offsets.push_back(static_cast<uint32_t>(keys.size()));
    }
  }
  while (out->offsets.size() < n + 1) out->offsets.push_back(static_cast<uint32_t>(keys.size()));
}

}  // namespace docanalysis::entity
