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
constexpr uint32_t kFormatVersion = 1;

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

void WeightTable::Add(uint64_t key, const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  uint32_t offset = static_cast<uint32_t>(entries_.size());
  index_.Insert(key, (offset << 5) | static_cast<uint32_t>(entries.size()));
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

void WeightTable::Compact() {
  if (compact()) return;
  size_t cap = 16;
  while (cap < index_.size() * 2 + 2) cap *= 2;
  slots_.assign(cap, Slot{0, 0});
  slot_mask_ = cap - 1;
  compact_features_ = 0;
  index_.ForEach([&](uint64_t key, uint32_t v) {
    size_t i = key & slot_mask_;
    const uint32_t tag = Tag(key);
    while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & slot_mask_;
    if (slots_[i].tag == tag) return;  // a 2^-32 tag clash on the same probe path: keep the first
    slots_[i] = {tag, v};
    ++compact_features_;
  });
  index_ = FlatHashMap<uint32_t>();
}

void WeightTable::ScoreAll(const FeatureMatrix& fm, float* emit) const {
  const size_t n_tokens = fm.token_count();
  if (!compact()) {
    for (size_t i = 0; i < n_tokens; ++i)
      Score(fm.keys.data() + fm.offsets[i], fm.offsets[i + 1] - fm.offsets[i], emit + i * kNumLabels);
    return;
  }
  // Three-step pipeline over all keys of the document: prefetch the slot of key k + kAhead,
  // resolve the slot of key k (and prefetch its entries), accumulate key k - kLag.
  constexpr size_t kAhead = 16, kLag = 8, kRing = 16;
  const uint64_t* keys = fm.keys.data();
  const size_t total = fm.keys.size();
  uint32_t ring[kRing];
  for (size_t k = 0; k < kAhead && k < total; ++k) __builtin_prefetch(&slots_[keys[k] & slot_mask_]);
  size_t token = 0;  // token of key k - kLag
  auto accumulate = [&](size_t k) {
    while (fm.offsets[token + 1] <= k) ++token;
    uint32_t v = ring[k % kRing];
    if (v == kNoValue) return;
    float* scores = emit + token * kNumLabels;
    const Entry* e = &entries_[v >> 5];
    for (uint32_t j = 0, c = v & 31; j < c; ++j) scores[e[j].label] += e[j].weight;
  };
  for (size_t k = 0; k < total; ++k) {
    if (k + kAhead < total) __builtin_prefetch(&slots_[keys[k + kAhead] & slot_mask_]);
    uint32_t v = FindCompact(keys[k]);
    ring[k % kRing] = v;
    if (v != kNoValue) __builtin_prefetch(&entries_[v >> 5]);
    if (k >= kLag) accumulate(k - kLag);
  }
  for (size_t k = total > kLag ? total - kLag : 0; k < total; ++k) accumulate(k);
}

void WeightTable::Score(const uint64_t* keys, size_t n, float* scores) const {
  if (compact()) {
    for (size_t k = 0; k < n; ++k) {
      uint32_t v = FindCompact(keys[k]);
      if (v == kNoValue) continue;
      const Entry* e = &entries_[v >> 5];
      for (uint32_t j = 0, c = v & 31; j < c; ++j) scores[e[j].label] += e[j].weight;
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
  std::vector<std::pair<uint64_t, uint32_t>> rows;
  rows.reserve(index_.size());
  index_.ForEach([&](uint64_t k, uint32_t v) { rows.emplace_back(k, v); });
  std::sort(rows.begin(), rows.end());
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

std::unique_ptr<Model> Model::Parse(std::string_view bytes, std::string* error) {
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
  if (version != kFormatVersion) return fail("unsupported model format version");
  auto m = std::make_unique<Model>();
  uint8_t stages = 0;
  if (!r.GetString(m->description_) || !r.Get(m->confidence_scale_) || !r.Get(stages) || stages < 1 || stages > 2)
    return fail("bad header fields");
  if (!m->gazetteer_.Read(r)) return fail("bad gazetteer section");
  if (!ReadStage(r, m->stage1_)) return fail("bad stage 1 weights");
  m->has_stage2_ = stages == 2;
  if (m->has_stage2_ && !ReadStage(r, m->stage2_)) return fail("bad stage 2 weights");
  if (r.remaining() != 0) return fail("trailing bytes");
  m->stage1_.emission.Compact();
  m->stage2_.emission.Compact();
  return m;
}

std::string Model::Serialize() const {
  BinaryWriter w;
  w.data().append(kMagic, sizeof(kMagic));
  w.Put<uint32_t>(kFormatVersion);
  w.PutString(description_);
  w.Put<float>(confidence_scale_);
  w.Put<uint8_t>(has_stage2_ ? 2 : 1);
  gazetteer_.Write(w);
  WriteStage(stage1_, w);
  if (has_stage2_) WriteStage(stage2_, w);
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

bool Model::Tag(const DocView& original, std::vector<Mention>* out, const std::function<bool()>& cancelled) const {
  std::vector<docanalysis_token> split_tokens;
  std::vector<docanalysis_sentence> split_sentences;
  DocView doc = original;
  if (SplitPossessives(original, &split_tokens, &split_sentences)) {
    doc.tokens = split_tokens.data();
    doc.token_count = split_tokens.size();
    doc.sentences = split_sentences.data();
    doc.sentence_count = split_sentences.size();
  }
  std::string truecased;
  if (TruecaseText(doc, &truecased)) doc.text = truecased;
  std::vector<uint8_t> labels;
  if (doc.token_count <= kMaxChunkTokens) {
    TagLabels(doc, &labels, out);
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
    TagLabels(chunk, &labels, &chunk_mentions);
    for (Mention& m : chunk_mentions) {
      m.token_begin += begin;
      m.token_end += begin;
      out->push_back(m);
    }
  }
  return true;
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
  const size_t n = doc.token_count;
  labels->assign(n, 0);
  if (n == 0) return;
  std::vector<Segment> segments = SegmentsOf(doc);
  FeatureExtractor fx(&gazetteer_);
  FeatureMatrix fm;
  std::vector<float> emit;
  fx.Extract(doc, segments, nullptr, &fm);
  Decode(fm, segments, stage1_, emit, labels->data());
  const StageWeights* last = &stage1_;
  if (has_stage2_) {
    std::vector<uint8_t> first = *labels;
    FeatureMatrix fm1 = std::move(fm);
    fx.Extract(doc, segments, first.data(), &fm, &fm1);
    Decode(fm, segments, stage2_, emit, labels->data());
    last = &stage2_;
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
        if (s[c] > -1e29f) z += std::exp(static_cast<double>((s[c] - best) * confidence_scale_));
      float p = static_cast<float>(std::exp(static_cast<double>((s[y] - best) * confidence_scale_)) / z);
      conf = std::min(conf, p);
    }
    m.confidence = std::max(conf, 1e-4f);
  }
  out->insert(out->end(), mentions.begin(), mentions.end());
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
