#include "model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "binary_io.h"
#include "text_util.h"

namespace docanalysis::entity {
namespace {

constexpr char kMagic[8] = {'D', 'O', 'C', 'A', 'N', 'E', 'R', '1'};
// Version 1: the cased regime only. Version 2 appends the caseless regime (flag, scale, stages).
constexpr uint32_t kFormatVersion = 3;  // 3: word clusters after the gazetteer

void WriteStage(const StageWeights& s, BinaryWriter& w) {
  for (float t : s.trans) w.Put<float>(t);
  s.emission.Write(w);
}

bool ReadStage(BinaryReader& r, StageWeights& s) {
  s.trans.assign(kTransSize, 0.0f);
  for (float& t : s.trans)
    if (!r.Get(t) || !std::isfinite(t)) return false;
  return s.emission.Read(r);
}

}  // namespace

// Working memory of one TagLabels call. The word-type cache maps a word (its exact bytes' hash)
// to the summed weights of its word-type features (WordTypeKeysOf) for each stage: the token's
// own features, and its features as the neighbour at -1, +1, -2, +2. Frequent words are scored
// once and then cost one lookup instead of about 20 table lookups per stage.
struct TagScratch {
  // Direct-mapped: a word's slot is its hash modulo kWords; a word whose slot another holds
  // replaces it (frequent words win back their slots at once).
  static constexpr size_t kWords = 16384;
  struct WordScores {
    uint64_t hash;   // 0 = empty
    uint32_t stamp;  // the call that last used the slot
    TokenInfo info;
    float v[2][WordTypeKeys::kKinds][kNumLabels];  // [stage][kind][label]
  };
  struct Cache {
    std::vector<WordScores> words;  // kWords slots once used
    float boundary[2][WordTypeKeys::kKinds][kNumLabels];  // sentence boundaries (kStatic unused)
    bool ready = false;
  };
  Cache cache[kNumRegimes];
  uint32_t stamp = 0;
  std::vector<const WordScores*> word_of;  // token -> its scores (in the cache or in `overflow`)
  std::vector<uint64_t> hashes;            // token -> HashBytes of its text | 1
  std::vector<WordScores> overflow;        // words whose slot another word of the same call holds
  std::vector<WordScores*> missed;         // entries to score in this call
  FeatureMatrix miss_keys;                 // their word-type keys, one row per (entry, kind)
  std::vector<float> miss_scores, miss_scores2;
  std::vector<TokenInfo> info;
  std::vector<Segment> segments;
  FeatureMatrix fm, fm1, extra;
  std::vector<float> emit, emit2;
  std::vector<uint8_t> first;
  std::vector<float> vscore;
  std::vector<uint8_t> vback;
  std::string text;
};

Model::Model() = default;
Model::~Model() = default;

std::unique_ptr<TagScratch> Model::AcquireScratch() const {
  {
    std::lock_guard<std::mutex> lock(scratch_mu_);
    if (!scratch_pool_.empty()) {
      std::unique_ptr<TagScratch> s = std::move(scratch_pool_.back());
      scratch_pool_.pop_back();
      return s;
    }
  }
  return std::make_unique<TagScratch>();
}

void Model::ReleaseScratch(std::unique_ptr<TagScratch> s) const {
  std::lock_guard<std::mutex> lock(scratch_mu_);
  scratch_pool_.push_back(std::move(s));
}

namespace {

void ScoreKeys(const WeightTable& table, const WordTypeKeys& k, float (*out)[kNumLabels]) {
  for (int kind = 0; kind < WordTypeKeys::kKinds; ++kind) {
    std::fill(out[kind], out[kind] + kNumLabels, 0.0f);
    table.Score(k.keys + k.begin[kind], k.begin[kind + 1] - k.begin[kind], out[kind]);
  }
}

// Adds the cached word-type sums of each token and its neighbours inside its segment to `emit`.
void AddWordTypeSums(const std::vector<Segment>& segments, int stage, const TagScratch::Cache& cache,
                     const std::vector<const TagScratch::WordScores*>& word_of, std::vector<float>& emit) {
  using Kind = WordTypeKeys::Kind;
  constexpr uint32_t kAhead = 4;  // the sums of a word kAhead tokens on are fetched meanwhile
  constexpr size_t kSums = sizeof(word_of[0]->v[0]);
  for (const Segment& seg : segments) {
    for (uint32_t i = seg.begin; i < seg.end; ++i) {
      if (i + kAhead < seg.end) {
        const char* p = reinterpret_cast<const char*>(word_of[i + kAhead]->v[stage]);
        for (size_t b = 0; b < kSums; b += 64) __builtin_prefetch(p + b);
      }
      const float* own = word_of[i]->v[stage][WordTypeKeys::kStatic];
      const float* p1 = i > seg.begin ? word_of[i - 1]->v[stage][Kind::kAsPrev1]
                                      : cache.boundary[stage][Kind::kAsPrev1];
      const float* n1 = i + 1 < seg.end ? word_of[i + 1]->v[stage][Kind::kAsNext1]
                                        : cache.boundary[stage][Kind::kAsNext1];
      const float* p2 = i > seg.begin + 1 ? word_of[i - 2]->v[stage][Kind::kAsPrev2]
                                          : cache.boundary[stage][Kind::kAsPrev2];
      const float* n2 = i + 2 < seg.end ? word_of[i + 2]->v[stage][Kind::kAsNext2]
                                        : cache.boundary[stage][Kind::kAsNext2];
      float* e = &emit[static_cast<size_t>(i) * kNumLabels];
      for (int c = 0; c < kNumLabels; ++c) e[c] += own[c] + p1[c] + n1[c] + p2[c] + n2[c];
    }
  }
}

// Emission scores of a stage: the table lookups of `fm` (which omits the word-type keys) plus the
// cached word-type sums of each token and its neighbours inside its segment.
void EmitWithWordTypes(const FeatureMatrix& fm, const std::vector<Segment>& segments, const WeightTable& table,
                       int stage, const TagScratch::Cache& cache,
                       const std::vector<const TagScratch::WordScores*>& word_of,
                       std::vector<float>& emit) {
  emit.assign(fm.token_count() * kNumLabels, 0.0f);
  table.ScoreAll(fm, emit.data());
  AddWordTypeSums(segments, stage, cache, word_of, emit);
}

// The keys of `stage2` that `stage1` does not have: stage 2 repeats each token's stage-1 keys first.
void OnlyStage2Keys(const FeatureMatrix& stage1, const FeatureMatrix& stage2, FeatureMatrix* out) {
  const size_t n = stage2.token_count();
  out->keys.clear();
  out->offsets.assign(1, 0);
  for (size_t t = 0; t < n; ++t) {
    const uint32_t skip = stage1.offsets[t + 1] - stage1.offsets[t];
    out->keys.insert(out->keys.end(), stage2.keys.begin() + stage2.offsets[t] + skip,
                     stage2.keys.begin() + stage2.offsets[t + 1]);
    out->offsets.push_back(static_cast<uint32_t>(out->keys.size()));
  }
}

}  // namespace

void WeightTable::Add(uint64_t key, const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  uint32_t offset = static_cast<uint32_t>(entries_.size());
  index_.Insert(key, (offset << 5) | static_cast<uint32_t>(entries.size()));
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

void WeightTable::Compact() { Compact({}); }

void WeightTable::Compact(const std::function<void(uint64_t, uint32_t)>& on_key) {
  if (compact()) return;
  size_t cap = 16;
  while (cap * 3 < index_.size() * 4 + 4) cap *= 2;  // at most three quarters full: 2-4 MB a table, not 4-8
  slots_.assign(cap, Slot{0, 0});
  slot_mask_ = cap - 1;
  compact_features_ = 0;
  packed_.resize(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) packed_[i] = Pack(entries_[i]);
  dense_.clear();
  index_.ForEach([&](uint64_t key, uint32_t v) {
    size_t i = key & slot_mask_;
    const uint32_t tag = Tag(key);
    while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & slot_mask_;
    if (slots_[i].tag == tag) return;  // a 2^-32 tag clash on the same probe path: keep the first
    if ((v & 31) >= kDenseMin) {
      // The same (packed) weights as the sparse form, so scores do not change by a bit.
      const uint32_t row = static_cast<uint32_t>(dense_.size() / kNumLabels);
      dense_.resize(dense_.size() + kNumLabels, 0.0f);
      for (uint32_t j = 0; j < (v & 31); ++j) {
        const uint32_t p = packed_[(v >> 5) + j];
        dense_[row * kNumLabels + (p & 31)] = PackedWeight(p);
      }
      v = (row << 5) | kDenseCount;
    }
    slots_[i] = {tag, v};
    ++compact_features_;
    if (on_key) on_key(key, v);
  });
  index_ = FlatHashMap<uint32_t>();
  entries_ = std::vector<Entry>();
}

void WeightTable::ScoreAll(const FeatureMatrix& fm, float* emit) const {
  const size_t n_tokens = fm.token_count();
  if (!compact()) {
    for (size_t i = 0; i < n_tokens; ++i)
      Score(fm.keys.data() + fm.offsets[i], fm.offsets[i + 1] - fm.offsets[i], emit + i * kNumLabels);
    return;
  }
  // Blocks of keys, two passes each. First every key of the block is resolved to its value, with
  // the slot of the key kAhead places on prefetched and the row of each value found prefetched at
  // once (a block's rows fit in the L2 cache); then the rows are added, token by token. Keeping the
  // two apart lets the loads of the first pass overlap instead of each waiting for the last.
  constexpr size_t kBlock = 1024, kAhead = 16;
  const uint64_t* keys = fm.keys.data();
  const size_t total = fm.keys.size();
  uint32_t values[kBlock];
  for (size_t k = 0; k < kAhead && k < total; ++k) __builtin_prefetch(&slots_[keys[k] & slot_mask_]);
  size_t token = 0;
  for (size_t begin = 0; begin < total; begin += kBlock) {
    const size_t end = std::min(total, begin + kBlock);
    for (size_t k = begin; k < end; ++k) {
      if (k + kAhead < total) __builtin_prefetch(&slots_[keys[k + kAhead] & slot_mask_]);
      const uint32_t v = FindCompact(keys[k]);
      values[k - begin] = v;
      if (v != kNoValue) __builtin_prefetch(RowAddress(v));
    }
    for (size_t k = begin; k < end; ++k) {
      while (fm.offsets[token + 1] <= k) ++token;
      const uint32_t v = values[k - begin];
      if (v != kNoValue) AddRow(v, emit + token * kNumLabels);
    }
  }
}

void TwoStageIndex::Reserve(size_t keys) {
  size_t cap = 16;
  while (cap * 3 < keys * 4 + 4) cap *= 2;  // at most three quarters full, as WeightTable
  slots_.assign(cap, Slot{0, {WeightTable::kAbsent, WeightTable::kAbsent}});
  mask_ = cap - 1;
  keys_ = 0;
}

void TwoStageIndex::Add(uint64_t key, int stage, uint32_t v) {
  if ((keys_ + 1) * 4 > slots_.size() * 3) throw std::logic_error("TwoStageIndex: more keys than reserved");
  size_t i = key & mask_;
  const uint32_t tag = Tag(key);
  while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & mask_;
  if (slots_[i].tag == 0) {
    slots_[i].tag = tag;
    ++keys_;
  }
  // A 2^-32 tag clash on one probe path keeps the first key's value, as WeightTable::Compact does.
  if (slots_[i].v[stage] == WeightTable::kAbsent) slots_[i].v[stage] = v;
}

void TwoStageIndex::ScoreBoth(const FeatureMatrix& fm, const WeightTable& stage1, const WeightTable& stage2,
                              float* emit1, float* emit2) const {
  // As WeightTable::ScoreAll: blocks of keys, resolved (slots prefetched kAhead keys on, rows as
  // soon as found) and then added token by token in key order.
  constexpr size_t kBlock = 1024, kAhead = 16;
  const uint64_t* keys = fm.keys.data();
  const size_t total = fm.keys.size();
  const Slot* found[kBlock];
  for (size_t k = 0; k < kAhead && k < total; ++k) __builtin_prefetch(&slots_[keys[k] & mask_]);
  size_t token = 0;
  for (size_t begin = 0; begin < total; begin += kBlock) {
    const size_t end = std::min(total, begin + kBlock);
    for (size_t k = begin; k < end; ++k) {
      if (k + kAhead < total) __builtin_prefetch(&slots_[keys[k + kAhead] & mask_]);
      const Slot* s = Find(keys[k]);
      found[k - begin] = s;
      if (s != nullptr) {
        if (s->v[0] != WeightTable::kAbsent) stage1.PrefetchRow(s->v[0]);
        if (s->v[1] != WeightTable::kAbsent) stage2.PrefetchRow(s->v[1]);
      }
    }
    for (size_t k = begin; k < end; ++k) {
      while (fm.offsets[token + 1] <= k) ++token;
      const Slot* s = found[k - begin];
      if (s == nullptr) continue;
      if (s->v[0] != WeightTable::kAbsent) stage1.AddCompactRow(s->v[0], emit1 + token * kNumLabels);
      if (s->v[1] != WeightTable::kAbsent) stage2.AddCompactRow(s->v[1], emit2 + token * kNumLabels);
    }
  }
}

void WeightTable::Score(const uint64_t* keys, size_t n, float* scores) const {
  if (compact()) {
    for (size_t k = 0; k < n; ++k) {
      uint32_t v = FindCompact(keys[k]);
      if (v != kNoValue) AddRow(v, scores);
    }
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    if (k + 4 < n) index_.Prefetch(keys[k + 4]);
    const uint32_t* v = index_.Find(keys[k]);
    if (v == nullptr) continue;
    const Entry* e = &entries_[*v >> 5];
    for (uint32_t j = 0, c = *v & 31; j < c; ++j) scores[e[j].label] += e[j].weight;
  }
}

void WeightTable::Write(BinaryWriter& w) const {
  if (compact()) throw std::logic_error("WeightTable::Write on a compacted table");
  const std::vector<std::pair<uint64_t, uint32_t>> rows = index_.SortedEntries();
  w.Put<uint64_t>(rows.size());
  for (const auto& [k, v] : rows) {
    w.Put<uint64_t>(k);
    uint32_t count = v & 31;
    w.Put<uint8_t>(static_cast<uint8_t>(count));
    for (uint32_t j = 0; j < count; ++j) {
      const Entry& e = entries_[(v >> 5) + j];
      w.Put<uint8_t>(static_cast<uint8_t>(e.label));
      w.Put<float>(e.weight);
    }
  }
}

bool WeightTable::Read(BinaryReader& r) {
  uint64_t rows = 0;
  if (!r.Get(rows) || rows > r.remaining() / 9) return false;
  index_ = FlatHashMap<uint32_t>();
  index_.Reserve(rows);
  entries_.clear();
  std::vector<Entry> row;
  for (uint64_t i = 0; i < rows; ++i) {
    uint64_t key = 0;
    uint8_t count = 0;
    if (!r.Get(key) || !r.Get(count) || count > kNumLabels) return false;
    row.clear();
    for (uint8_t j = 0; j < count; ++j) {
      uint8_t label = 0;
      float weight = 0;
      if (!r.Get(label) || !r.Get(weight) || label >= kNumLabels || !std::isfinite(weight)) return false;
      row.push_back({weight, label});
    }
    if (index_.Find(key) != nullptr) return false;
    Add(key, row);
  }
  return true;
}

std::unique_ptr<Model> Model::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("entity model not found or unreadable: " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string error;
  std::unique_ptr<Model> m = Parse(buf.str(), &error);
  if (m == nullptr) throw std::runtime_error("entity model " + path + " is invalid: " + error);
  return m;
}

std::unique_ptr<Model> Model::Parse(std::string_view bytes, std::string* error, bool compact) {
  auto fail = [error](const char* what) {
    *error = what;
    return nullptr;
  };
  if (bytes.size() < sizeof(kMagic) + 12 || std::string_view(bytes.data(), 8) != std::string_view(kMagic, 8))
    return fail("not a docanalysis NER model (bad magic)");
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  uint64_t checksum = 0;
  BinaryReader tail(bytes.substr(bytes.size() - 8));
  tail.Get(checksum);
  if (checksum != HashBytes(body)) return fail("checksum mismatch (truncated or corrupt file)");
  BinaryReader r(body.substr(8));
  uint32_t version = 0;
  if (!r.Get(version)) return fail("truncated header");
  if (version < 1 || version > kFormatVersion) return fail("unsupported model format version");
  auto m = std::make_unique<Model>();
  uint8_t stages = 0;
  Tagger& cased = m->regimes_[0];
  if (!r.GetString(m->description_) || !r.Get(cased.confidence_scale) || !r.Get(stages) || stages < 1 || stages > 2)
    return fail("bad header fields");
  if (!m->gazetteer_.Read(r)) return fail("bad gazetteer section");
  if (version >= 3 && !m->clusters_.Read(r)) return fail("bad word cluster section");
  if (!ReadStage(r, cased.stage1)) return fail("bad stage 1 weights");
  cased.has_stage2 = stages == 2;
  if (cased.has_stage2 && !ReadStage(r, cased.stage2)) return fail("bad stage 2 weights");
  if (version >= 2) {
    uint8_t caseless = 0;
    if (!r.Get(caseless) || caseless > 1) return fail("bad caseless flag");
    m->has_caseless_ = caseless == 1;
    if (m->has_caseless_) {
      Tagger& t = m->regimes_[1];
      if (!r.Get(t.confidence_scale) || !r.Get(stages) || stages < 1 || stages > 2)
        return fail("bad caseless header fields");
      if (!ReadStage(r, t.stage1)) return fail("bad caseless stage 1 weights");
      t.has_stage2 = stages == 2;
      if (t.has_stage2 && !ReadStage(r, t.stage2)) return fail("bad caseless stage 2 weights");
    }
  }
  if (r.remaining() != 0) return fail("trailing bytes");
  if (compact) m->CompactForServing();
  return m;
}

void Model::CompactForServing() {
  for (Tagger& t : regimes_) {
    if (!t.has_stage2) {
      t.stage1.emission.Compact();
      t.stage2.emission.Compact();
      continue;
    }
    size_t only_stage2 = 0;
    t.stage2.emission.ForEach([&](uint64_t key, const WeightTable::Entry*, uint32_t) {
      if (!t.stage1.emission.HasKey(key)) ++only_stage2;
    });
    t.both.Reserve(t.stage1.emission.features() + only_stage2);
    t.stage1.emission.Compact([&t](uint64_t key, uint32_t v) { t.both.Add(key, 0, v); });
    t.stage2.emission.Compact([&t](uint64_t key, uint32_t v) { t.both.Add(key, 1, v); });
  }
}

std::string Model::Serialize() const {
  BinaryWriter w;
  w.data().append(kMagic, sizeof(kMagic));
  w.Put<uint32_t>(kFormatVersion);
  w.PutString(description_);
  const Tagger& cased = regimes_[0];
  w.Put<float>(cased.confidence_scale);
  w.Put<uint8_t>(cased.has_stage2 ? 2 : 1);
  gazetteer_.Write(w);
  clusters_.Write(w);
  WriteStage(cased.stage1, w);
  if (cased.has_stage2) WriteStage(cased.stage2, w);
  w.Put<uint8_t>(has_caseless_ ? 1 : 0);
  if (has_caseless_) {
    const Tagger& t = regimes_[1];
    w.Put<float>(t.confidence_scale);
    w.Put<uint8_t>(t.has_stage2 ? 2 : 1);
    WriteStage(t.stage1, w);
    if (t.has_stage2) WriteStage(t.stage2, w);
  }
  uint64_t checksum = HashBytes(w.data());
  w.Put<uint64_t>(checksum);
  return std::move(w.data());
}

void Model::Decode(const FeatureMatrix& fm, const std::vector<Segment>& segments, const StageWeights& w,
                   std::vector<float>& emit, uint8_t* labels) {
  const size_t n = fm.token_count();
  emit.assign(n * kNumLabels, 0.0f);
  w.emission.ScoreAll(fm, emit.data());
  std::vector<float> score;
  std::vector<uint8_t> back;
  for (const Segment& s : segments)
    Viterbi(&emit[s.begin * kNumLabels], s.end - s.begin, w.trans.data(), labels + s.begin, score, back);
}

bool Model::Tag(const DocView& doc, std::vector<Mention>* out, const std::function<bool()>& cancelled) const {
  const size_t first = out->size();
  const bool done = TagDocument(doc, out, cancelled);
  auto tagged = [&doc](const Mention& m) {
    auto sigil = [](char c) { return c == '#' || c == '@'; };
    return (m.begin < doc.text.size() && sigil(doc.text[m.begin])) ||
           (m.begin > 0 && m.begin <= doc.text.size() && sigil(doc.text[m.begin - 1]));
  };
  out->erase(std::remove_if(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(), tagged), out->end());
  return done;
}

bool Model::TagDocument(const DocView& original, std::vector<Mention>* out,
                        const std::function<bool()>& cancelled) const {
  std::vector<docanalysis_token> split_tokens;
  std::vector<docanalysis_sentence> split_sentences;
  DocView doc = original;
  if (SplitPossessives(original, &split_tokens, &split_sentences)) {
    doc.tokens = split_tokens.data();
    doc.token_count = split_tokens.size();
    doc.sentences = split_sentences.data();
    doc.sentence_count = split_sentences.size();
  }
  // Casing regime: a document written all in lower case or all in capitals is read lower-cased
  // by the caseless weights (or, with a model that has none, truecased for the cased weights).
  std::string recased;
  Regime regime = Regime::kCased;
  if (has_caseless_) {
    const Casing casing = DetectCasing(doc, 0, doc.token_count);
    if (casing == Casing::kLower || casing == Casing::kUpper || (casing == Casing::kTitle && title_case_caseless_)) {
      recased.reserve(doc.text.size());
      AppendLower(doc.text, recased);
      if (recased.size() == doc.text.size()) {
        doc.text = recased;
        regime = Regime::kCaseless;
      }
    }
  } else if (TruecaseText(doc, &recased)) {
    doc.text = recased;
  }
  std::vector<uint8_t> labels;
  // In a mixed document, sentences written all in lower case or all in capitals can still be read
  // by the caseless weights (when per_sentence_casing_ is on).
  const bool per_sentence = has_caseless_ && regime == Regime::kCased && per_sentence_casing_;
  if (doc.token_count <= kMaxChunkTokens) {
    if (per_sentence) TagMixed(doc, &labels, out);
    else TagLabels(doc, regime, &labels, out);
    return true;
  }
  // A very long document is tagged in chunks of whole sentences, so memory stays bounded; the
  // document-level features then see one chunk at a time.
  std::vector<Segment> segments = SegmentsOf(doc);
  size_t s = 0;
  std::vector<docanalysis_sentence> sentences;
  std::vector<Mention> chunk_mentions;
  while (s < segments.size()) {
    if (cancelled && cancelled()) return false;
    uint32_t begin = segments[s].begin, end = begin;
    sentences.clear();
    while (s < segments.size() && (end == begin || segments[s].end - begin <= kMaxChunkTokens)) {
      const Segment& g = segments[s];
      sentences.push_back({doc.tokens[g.begin].begin, doc.tokens[g.end - 1].end, g.begin - begin, g.end - begin, 0});
      end = g.end;
      ++s;
    }
    DocView chunk;
    chunk.text = doc.text;
    chunk.tokens = doc.tokens + begin;
    chunk.token_count = end - begin;
    chunk.sentences = sentences.data();
    chunk.sentence_count = sentences.size();
    chunk_mentions.clear();
    if (per_sentence) TagMixed(chunk, &labels, &chunk_mentions);
    else TagLabels(chunk, regime, &labels, &chunk_mentions);
    for (Mention& m : chunk_mentions) {
      m.token_begin += begin;
      m.token_end += begin;
      out->push_back(m);
    }
  }
  return true;
}

void Model::TagMixed(const DocView& doc, std::vector<uint8_t>* labels, std::vector<Mention>* out) const {
  const std::vector<Segment> segments = SegmentsOf(doc);
  std::vector<uint8_t> caseless(doc.token_count, 0);
  bool any = false;
  for (const Segment& g : segments) {
    // Only lower-case sentences: all-capitals headlines inside news are read better by the cased
    // weights, which know the sentence is a headline (eng.testa: 93.35 cased vs 93.23 switched),
    // and so are title-case lines inside news, mostly lists of names and results tables (93.56
    // switched vs 94.17 on eng.testa).
    if (DetectCasing(doc, g.begin, g.end, kMinSentenceWords) != Casing::kLower) continue;
    std::fill(caseless.begin() + g.begin, caseless.begin() + g.end, 1);
    any = true;
  }
  if (!any) {
    TagLabels(doc, Regime::kCased, labels, out);
    return;
  }
  std::vector<Mention> cased, lowered;
  TagLabels(doc, Regime::kCased, labels, &cased);
  std::string text;
  text.reserve(doc.text.size());
  AppendLower(doc.text, text);
  if (text.size() != doc.text.size()) {
    out->insert(out->end(), cased.begin(), cased.end());
    return;
  }
  DocView low = doc;
  low.text = text;
  std::vector<uint8_t> low_labels;
  TagLabels(low, Regime::kCaseless, &low_labels, &lowered);
  for (size_t i = 0; i < doc.token_count; ++i)
    if (caseless[i]) (*labels)[i] = low_labels[i];
  // Mentions never cross segments: take each from the regime of its sentence, in token order.
  size_t a = 0, b = 0;
  while (a < cased.size() || b < lowered.size()) {
    while (a < cased.size() && caseless[cased[a].token_begin]) ++a;
    while (b < lowered.size() && !caseless[lowered[b].token_begin]) ++b;
    if (a < cased.size() && (b >= lowered.size() || cased[a].token_begin < lowered[b].token_begin)) {
      out->push_back(cased[a++]);
    } else if (b < lowered.size()) {
      out->push_back(lowered[b++]);
    }
  }
}

namespace {
// The words that headline title case (AP, Chicago) leaves in lower case.
bool TitleFunctionWord(std::string_view w) {
  static constexpr std::string_view kWords[] = {"a",   "an",  "and", "as",  "at",   "but", "by",  "for", "from",
                                                "in",  "nor", "of",  "on",  "or",   "the", "to",  "vs",  "vs.",
                                                "via", "with", "into", "onto", "over", "up", "off", "per", "than"};
  for (std::string_view k : kWords)
    if (w == k) return true;
  return false;
}
}  // namespace

Casing DetectCasing(const DocView& doc, size_t begin, size_t end, size_t min_words) {
  size_t lower = 0, upper = 0, initial = 0, content_lower = 0;
  for (size_t i = begin; i < end; ++i) {
    std::string_view w = doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin);
    // @handles and #hashtags are written as their owners like, whatever the text around them.
    if (!w.empty() && (w[0] == '@' || w[0] == '#')) continue;
    if (doc.tokens[i].begin > 0 && (doc.text[doc.tokens[i].begin - 1] == '@' || doc.text[doc.tokens[i].begin - 1] == '#'))
      continue;
    CapClass c = ClassifyCaps(w);
    if (c == CapClass::kMixed && HasLatinLetter(w) && w.size() > 2) return Casing::kMixed;  // allow "A", "I."
    if (c == CapClass::kInitialCap) ++initial;
    if (c == CapClass::kLower) {
      ++lower;
      if (!TitleFunctionWord(w)) ++content_lower;
    }
    if (c == CapClass::kAllCaps) ++upper;
    // A lower-case content word beside a capitalised one: neither lower, upper nor title case, so
    // ordinary prose is judged within its first few words, not by a pass over the whole document.
    if (content_lower > 0 && (initial > 0 || upper > 0)) return Casing::kMixed;
  }
  if (initial == 0 && upper == 0 && lower >= min_words) return Casing::kLower;
  if (initial == 0 && lower == 0 && upper >= min_words) return Casing::kUpper;
  if (initial > 0 && content_lower == 0 && initial + upper >= min_words) return Casing::kTitle;
  return Casing::kMixed;
}

bool Model::TruecaseText(const DocView& doc, std::string* out) const {
  size_t lower = 0, upper = 0;
  for (size_t i = 0; i < doc.token_count; ++i) {
    std::string_view w = doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin);
    CapClass c = ClassifyCaps(w);
    if (c == CapClass::kInitialCap) return false;
    if (c == CapClass::kMixed && HasLatinLetter(w) && w.size() > 2) return false;  // allow "A", "I."
    if (c == CapClass::kLower) ++lower;
    if (c == CapClass::kAllCaps) ++upper;
  }
  const bool all_lower = upper == 0 && lower >= 3;
  const bool all_upper = lower == 0 && upper >= 3;
  if (!all_lower && !all_upper) return false;
  uint32_t proper = 0, common = 0;  // category bit masks
  const std::vector<std::string>& names = gazetteer_.category_names();
  for (size_t c = 0; c < names.size(); ++c) {
    const std::string& n = names[c];
    if (n == "DICT_LOWER") common |= 1u << c;
    else if (n.rfind("LOC_", 0) == 0 || n == "PER_FIRST" || n == "DICT_PROPER" || n == "NATIONALITY" ||
             n == "LANGUAGE")
      proper |= 1u << c;
  }
  if (proper == 0) return false;
  *out = std::string(doc.text);
  std::vector<uint64_t> keys(doc.token_count);
  std::string scratch;
  for (size_t i = 0; i < doc.token_count; ++i) {
    scratch.clear();
    AppendLower(doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin), scratch);
    keys[i] = Gazetteer::TokenKey(scratch);
  }
  std::vector<uint32_t> bits(doc.token_count, 0);
  for (const Segment& s : SegmentsOf(doc))
    gazetteer_.Match(keys.data() + s.begin, s.end - s.begin, bits.data() + s.begin);
  for (size_t i = 0; i < doc.token_count; ++i) {
    const docanalysis_token& tok = doc.tokens[i];
    std::string_view w = doc.text.substr(tok.begin, tok.end - tok.begin);
    if (!HasLatinLetter(w)) continue;
    bool unit_proper = false, multi_proper = false, unit_common = false;
    for (int c = 0; c < Gazetteer::kMaxCategories; ++c) {
      uint32_t b = (bits[i] >> (c * 4)) & 15u;
      if (b == 0) continue;
      if (proper & (1u << c)) {
        unit_proper |= (b & (1u << Gazetteer::kUnit)) != 0;
        multi_proper |= (b & ~(1u << Gazetteer::kUnit)) != 0;
      }
      if ((common & (1u << c)) && (b & (1u << Gazetteer::kUnit))) unit_common = true;
    }
    const bool is_proper = multi_proper || (unit_proper && !unit_common);
    scratch.clear();
    AppendLower(w, scratch);  // same byte length as w
    if (scratch.size() != w.size()) continue;
    if (all_lower) {
      if (is_proper && scratch[0] >= 'a' && scratch[0] <= 'z') (*out)[tok.begin] = static_cast<char>(scratch[0] - 32);
      continue;
    }
    // All caps: common words to lower case, names to title case, short unknown words kept.
    if (!is_proper && !unit_common && w.size() <= 4) continue;
    for (size_t k = (is_proper || !unit_common) ? 1 : 0; k < scratch.size(); ++k) (*out)[tok.begin + k] = scratch[k];
  }
  return true;
}

void Model::TagLabels(const DocView& doc, std::vector<uint8_t>* labels, std::vector<Mention>* out) const {
  TagLabels(doc, Regime::kCased, labels, out);
}

void Model::TagLabels(const DocView& doc, Regime regime, std::vector<uint8_t>* labels,
                      std::vector<Mention>* out) const {
  const size_t n = doc.token_count;
  labels->assign(n, 0);
  if (n == 0) return;
  const Tagger& tagger = this->regime(regime);
  const float scale = tagger.confidence_scale;
  std::unique_ptr<TagScratch> scratch = AcquireScratch();
  TagScratch& sc = *scratch;
  TagScratch::Cache& cache = sc.cache[static_cast<int>(regime)];
  const bool cached = tagger.stage1.emission.compact();  // the serving path (the trainer scores in full)
  const WeightTable* tables[2] = {&tagger.stage1.emission, &tagger.stage2.emission};
  const int stages = tagger.has_stage2 ? 2 : 1;
  if (cached) {
    if (!cache.ready) {
      cache.words.assign(TagScratch::kWords, TagScratch::WordScores{});
      WordTypeKeys k;
      BoundaryKeys(&k);
      for (int st = 0; st < 2; ++st) {
        if (st < stages) ScoreKeys(*tables[st], k, cache.boundary[st]);
        else std::fill(&cache.boundary[st][0][0], &cache.boundary[st][0][0] + WordTypeKeys::kKinds * kNumLabels, 0.0f);
      }
      cache.ready = true;
    }
    sc.word_of.resize(n);
    sc.info.resize(n);
    sc.overflow.clear();
    sc.overflow.reserve(n);  // pointers into it stay valid
    const uint32_t stamp = ++sc.stamp;
    sc.missed.clear();
    sc.miss_keys.keys.clear();
    sc.miss_keys.offsets.assign(1, 0);
    std::string word_scratch;
    // The words' hashes first, so that each word's cache slot (most of the 16k are cold: about 800
    // bytes each) is fetched a few words ahead of its lookup.
    std::vector<uint64_t>& hashes = sc.hashes;
    hashes.resize(n);
    for (size_t i = 0; i < n; ++i)
      hashes[i] = HashBytes(doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin)) | 1;
    auto slot_of = [](uint64_t h) { return static_cast<uint32_t>(h >> 40) & (TagScratch::kWords - 1); };
    constexpr size_t kAhead = 6;
    auto prefetch_slot = [&](size_t i) {
      const char* p = reinterpret_cast<const char*>(&cache.words[slot_of(hashes[i])]);
      __builtin_prefetch(p);
      __builtin_prefetch(p + 64);
      __builtin_prefetch(p + 128);
    };
    for (size_t i = 0; i < kAhead && i < n; ++i) prefetch_slot(i);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) prefetch_slot(i + kAhead);
      std::string_view w = doc.text.substr(doc.tokens[i].begin, doc.tokens[i].end - doc.tokens[i].begin);
      const uint64_t h = hashes[i];
      const uint32_t slot = slot_of(h);
      TagScratch::WordScores* wsp = &cache.words[slot];
      if (wsp->hash != h && wsp->stamp == stamp) {  // the slot serves another word of this call
        sc.overflow.emplace_back();
        wsp = &sc.overflow.back();
      }
      TagScratch::WordScores& ws = *wsp;
      ws.stamp = stamp;
      if (ws.hash != h) {
        ws.hash = h;
        FillTokenInfo(w, ws.info, word_scratch);
        ws.info.gaz_first = gazetteer_.FirstValue(ws.info.lower);
        ws.info.cluster = clusters_.Find(ws.info.lower);
        WordTypeKeys k;
        WordTypeKeysOf(ws.info, &k, clusters_.size() > 0);
        for (int kind = 0; kind < WordTypeKeys::kKinds; ++kind) {
          sc.miss_keys.keys.insert(sc.miss_keys.keys.end(), k.keys + k.begin[kind], k.keys + k.begin[kind + 1]);
          sc.miss_keys.offsets.push_back(static_cast<uint32_t>(sc.miss_keys.keys.size()));
        }
        sc.missed.push_back(&ws);
      }
      sc.word_of[i] = &ws;
      sc.info[i] = ws.info;
    }
    // Scores the new words' keys in one pipelined pass per stage (one pass for both, through the
    // index over both stages, when there is one).
    constexpr size_t kRow = WordTypeKeys::kKinds * kNumLabels;
    if (stages == 2 && !tagger.both.empty() && !sc.missed.empty()) {
      sc.miss_scores.assign(sc.missed.size() * kRow, 0.0f);
      sc.miss_scores2.assign(sc.missed.size() * kRow, 0.0f);
      tagger.both.ScoreBoth(sc.miss_keys, tagger.stage1.emission, tagger.stage2.emission, sc.miss_scores.data(),
                            sc.miss_scores2.data());
      for (size_t m = 0; m < sc.missed.size(); ++m) {
        std::copy(&sc.miss_scores[m * kRow], &sc.miss_scores[m * kRow] + kRow, &sc.missed[m]->v[0][0][0]);
        std::copy(&sc.miss_scores2[m * kRow], &sc.miss_scores2[m * kRow] + kRow, &sc.missed[m]->v[1][0][0]);
      }
      sc.missed.clear();  // scored
    }
    for (int st = 0; st < 2 && !sc.missed.empty(); ++st) {
      if (st < stages) {
        sc.miss_scores.assign(sc.missed.size() * kRow, 0.0f);
        tables[st]->ScoreAll(sc.miss_keys, sc.miss_scores.data());
      }
      for (size_t m = 0; m < sc.missed.size(); ++m) {
        float* dst = &sc.missed[m]->v[st][0][0];
        if (st < stages) std::copy(&sc.miss_scores[m * kRow], &sc.miss_scores[m * kRow] + kRow, dst);
        else std::fill(dst, dst + kRow, 0.0f);
      }
    }
  }
  std::vector<Segment>& segments = sc.segments;
  segments = SegmentsOf(doc);
  if (cached) {
    // A run of tokens without a word of two bytes or more that has a letter (a table of
    // scores, a line of punctuation, a hostile run like "1,1,1," or "a#a#a#") holds no name: its
    // tokens stay O without being decoded, so such text costs a pass over its tokens rather than
    // two feature extractions and two decodes.
    segments.erase(std::remove_if(segments.begin(), segments.end(),
                                  [&](const Segment& g) {
                                    for (uint32_t i = g.begin; i < g.end; ++i)
                                      if (sc.info[i].letters && doc.tokens[i].end - doc.tokens[i].begin >= 2)
                                        return false;
                                    return true;
                                  }),
                   segments.end());
  }
  FeatureExtractor fx(&gazetteer_, regime == Regime::kCaseless, &clusters_);
  ExtractOptions opts;
  if (cached) {
    opts.omit_word_type = true;
    opts.info = &sc.info;
    opts.info_has_gaz_first = true;
  }
  FeatureMatrix& fm = sc.fm;
  std::vector<float>& emit = sc.emit;
  auto decode = [&](int stage, const StageWeights& w) {
    if (cached) {
      EmitWithWordTypes(fm, segments, w.emission, stage, cache, sc.word_of, emit);
      for (const Segment& s : segments)
        Viterbi(&emit[s.begin * kNumLabels], s.end - s.begin, w.trans.data(), labels->data() + s.begin, sc.vscore,
                sc.vback);
    } else {
      Decode(fm, segments, w, emit, labels->data());
    }
  };
  auto viterbi = [&](const StageWeights& w) {
    for (const Segment& s : segments)
      Viterbi(&emit[s.begin * kNumLabels], s.end - s.begin, w.trans.data(), labels->data() + s.begin, sc.vscore,
              sc.vback);
  };
  // Two stages through the index over both: stage 1's keys are probed once, and their stage-2
  // weights wait in emit2 for stage 2, which then looks up only the keys of its own.
  const bool both = cached && tagger.has_stage2 && !tagger.both.empty();
  fx.Extract(doc, segments, nullptr, &fm, nullptr, opts);
  if (both) {
    emit.assign(n * kNumLabels, 0.0f);
    sc.emit2.assign(n * kNumLabels, 0.0f);
    tagger.both.ScoreBoth(fm, tagger.stage1.emission, tagger.stage2.emission, emit.data(), sc.emit2.data());
    AddWordTypeSums(segments, 0, cache, sc.word_of, emit);
    viterbi(tagger.stage1);
  } else {
    decode(0, tagger.stage1);
  }
  const StageWeights* last = &tagger.stage1;
  if (tagger.has_stage2) {
    sc.first = *labels;
    std::swap(sc.fm1, fm);
    fx.Extract(doc, segments, sc.first.data(), &fm, &sc.fm1, opts);
    if (both) {
      std::swap(emit, sc.emit2);
      OnlyStage2Keys(sc.fm1, fm, &sc.extra);
      tagger.stage2.emission.ScoreAll(sc.extra, emit.data());
      AddWordTypeSums(segments, 1, cache, sc.word_of, emit);
      viterbi(tagger.stage2);
    } else {
      decode(1, tagger.stage2);
    }
    last = &tagger.stage2;
  }
  // Confidence: the local probability of each chosen label given the previous one (a softmax
  // over the scores of the well-formed alternatives), the minimum over the mention's tokens.
  std::vector<Mention> mentions = MentionsFromLabels(labels->data(), n, doc.tokens);
  std::vector<uint8_t> starts_segment(n, 0);
  for (const Segment& s : segments) starts_segment[s.begin] = 1;
  for (Mention& m : mentions) {
    float conf = 1.0f;
    for (uint32_t i = m.token_begin; i < m.token_end; ++i) {
      int prev = (starts_segment[i] || i == 0) ? kNumLabels : (*labels)[i - 1];
      int y = (*labels)[i];
      float s[kNumLabels];
      float best = -1e30f;
      for (int c = 0; c < kNumLabels; ++c) {
        s[c] = AllowedTransition(prev == kNumLabels ? -1 : prev, c)
                   ? emit[i * kNumLabels + c] + last->trans[prev * kNumLabels + c]
                   : -1e30f;
        best = std::max(best, s[c]);
      }
      double z = 0;
      for (int c = 0; c < kNumLabels; ++c)
        if (s[c] > -1e29f) z += std::exp(static_cast<double>((s[c] - best) * scale));
      float p = static_cast<float>(std::exp(static_cast<double>((s[y] - best) * scale)) / z);
      conf = std::min(conf, p);
    }
    m.confidence = std::max(conf, 1e-4f);
  }
  out->insert(out->end(), mentions.begin(), mentions.end());
  ReleaseScratch(std::move(scratch));
}

std::vector<Mention> MentionsFromLabels(const uint8_t* labels, size_t n, const docanalysis_token* tokens) {
  std::vector<Mention> out;
  size_t i = 0;
  while (i < n) {
    int type = LabelType(labels[i]);
    if (type < 0) {
      ++i;
      continue;
    }
    int part = LabelPart(labels[i]);
    size_t j = i + 1;
    if (part == kB || part == kI) {
      while (j < n && LabelType(labels[j]) == type && (LabelPart(labels[j]) == kI || LabelPart(labels[j]) == kL)) {
        ++j;
        if (LabelPart(labels[j - 1]) == kL) break;
      }
    }
    out.push_back({tokens[i].begin, tokens[j - 1].end, static_cast<uint32_t>(i), static_cast<uint32_t>(j), type, 1.0f});
    i = j;
  }
  return out;
}

}  // namespace docanalysis::entity
