// The entity tagger's model and its decoder.
//
// A model holds an embedded gazetteer and one or two stages of averaged-perceptron weights:
// sparse emission weights per feature key and a BILOU transition matrix. Stage 1 tags with local,
// gazetteer and document-evidence features; stage 2 (if present) re-tags with stage 1's labels
// over the whole document as extra features.
//
// The file format is binary, little-endian, versioned, and ends with a checksum, so a truncated
// or corrupt file fails to load with a clear message instead of producing garbage.
//
// OWNERSHIP: Load() returns a model the caller owns. THREADING: immutable after loading; Tag()
// is safe to call concurrently from many threads.
//
//   std::unique_ptr<Model> m = Model::Load(dir + "/ner-en.model");  // throws std::runtime_error
//   std::vector<Mention> mentions;
//   m->Tag(doc_view, &mentions);
#ifndef DOCANALYSIS_PLUGINS_ENTITY_MODEL_H_
#define DOCANALYSIS_PLUGINS_ENTITY_MODEL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ner_features.h"
#include "gazetteer.h"
#include "word_clusters.h"
#include "hash_table.h"
#include "labels.h"
#include "viterbi.h"

namespace docanalysis::entity {

// Sparse emission weights: feature key -> (label, weight) pairs.
class WeightTable {
 public:
  struct Entry {
    float weight;
    uint32_t label;
  };
  // Adds a feature's non-zero weights (labels must be < kNumLabels). Keys must be unique.
  void Add(uint64_t key, const std::vector<Entry>& entries);
  // Adds the weights of `keys[0..n)` into `scores[0..kNumLabels)`.
  void Score(const uint64_t* keys, size_t n, float* scores) const;
  // Adds the weights of every token's keys into emit[token * kNumLabels + label], with the table
  // lookups pipelined across the whole document (the decoder's hot loop).
  void ScoreAll(const FeatureMatrix& fm, float* emit) const;
  // Converts the table to its compact read-only form: 8-byte slots holding a 32-bit tag of the
  // key, so that lookups touch half the memory. Afterwards Add(), ForEach() and Write() are
  // unavailable (the full keys are gone); Score() keeps working. Model::Parse compacts.
  void Compact();
  // The same, calling on_key(key, value) for every feature kept, with the compact value that
  // Find-style lookups of `key` return (see TwoStageIndex).
  void Compact(const std::function<void(uint64_t, uint32_t)>& on_key);
  // For TwoStageIndex: the compact value of `key` (kNoValue if absent), adding its row, prefetching it.
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;
  uint32_t CompactValue(uint64_t key) const { return FindCompact(key); }
  void AddCompactRow(uint32_t v, float* scores) const { AddRow(v, scores); }
  void PrefetchRow(uint32_t v) const { __builtin_prefetch(RowAddress(v)); }
  bool compact() const { return !slots_.empty(); }
  size_t features() const { return compact() ? compact_features_ : index_.size(); }
  size_t entries() const { return compact() ? packed_.size() : entries_.size(); }
  // Whether `key` has weights (before Compact() only).
  bool HasKey(uint64_t key) const { return index_.Find(key) != nullptr; }
  // Calls f(key, entries, count) for every feature, in table order.
  template <typename F>
  void ForEach(F f) const {
    index_.ForEach([&](uint64_t key, uint32_t v) { f(key, &entries_[v >> 5], v & 31); });
  }

  void Write(BinaryWriter& w) const;
  bool Read(BinaryReader& r);

 private:
  struct Slot {
    uint32_t tag;    // high 32 bits of the key, low bit forced to 1; 0 = empty
    uint32_t value;  // (offset << 5) | count
  };
  static uint32_t Tag(uint64_t key) { return static_cast<uint32_t>(key >> 32) | 1u; }
  // The value of `key` in the compact table, or kNoValue.
  static constexpr uint32_t kNoValue = 0xFFFFFFFFu;
  uint32_t FindCompact(uint64_t key) const {
    size_t i = key & slot_mask_;
    const uint32_t tag = Tag(key);
    while (true) {
      const Slot& s = slots_[i];
      if (s.tag == tag) return s.value;
      if (s.tag == 0) return kNoValue;
      i = (i + 1) & slot_mask_;
    }
  }

  // A compact entry: the weight as a float whose 5 low mantissa bits hold the label (a relative
  // change of at most 2^-18 of the weight), so that an entry takes 4 bytes.
  static uint32_t Pack(const Entry& e) {
    uint32_t bits;
    __builtin_memcpy(&bits, &e.weight, 4);
    return (bits & ~31u) | (e.label & 31u);
  }
  static float PackedWeight(uint32_t p) {
    p &= ~31u;
    float w;
    __builtin_memcpy(&w, &p, 4);
    return w;
  }

  // A compact value whose count field is kDenseCount names a dense row instead: kNumLabels floats
  // at dense_[offset * kNumLabels] (zeros where the feature has no weight). Features with at least
  // kDenseMin weights (the frequent ones, a quarter of them, most of the lookups) are stored dense,
  // so that adding one is a few vector additions instead of a loop over its entries.
  static constexpr uint32_t kDenseCount = 31;
  static constexpr uint32_t kDenseMin = 5;
  const void* RowAddress(uint32_t v) const {
    return (v & 31) == kDenseCount ? static_cast<const void*>(&dense_[(v >> 5) * kNumLabels])
                                   : static_cast<const void*>(&packed_[v >> 5]);
  }
  // Adds the weights of the feature whose compact value is `v` into scores[0..kNumLabels).
  void AddRow(uint32_t v, float* scores) const {
    if ((v & 31) == kDenseCount) {
      typedef float V4 __attribute__((vector_size(16)));
      const float* row = &dense_[(v >> 5) * kNumLabels];
      int c = 0;
      for (; c + 4 <= kNumLabels; c += 4) {
        V4 a, b;
        __builtin_memcpy(&a, scores + c, 16);
        __builtin_memcpy(&b, row + c, 16);
        a += b;
        __builtin_memcpy(scores + c, &a, 16);
      }
      for (; c < kNumLabels; ++c) scores[c] += row[c];
      return;
    }
    const uint32_t* e = &packed_[v >> 5];
    for (uint32_t j = 0, n = v & 31; j < n; ++j) scores[e[j] & 31] += PackedWeight(e[j]);
  }

  FlatHashMap<uint32_t> index_;  // (offset << 5) | count; emptied by Compact()
  std::vector<Slot> slots_;
  std::vector<uint32_t> packed_;  // compact entries (Pack), same offsets as entries_
  std::vector<float> dense_;      // dense rows, see kDenseCount
  size_t slot_mask_ = 0;
  size_t compact_features_ = 0;
  std::vector<Entry> entries_;
};

struct StageWeights {
  WeightTable emission;
  std::vector<float> trans = std::vector<float>(kTransSize, 0.0f);
};

// Both stages' compact values of every feature key either stage weights, in one open-addressing
// index. Stage 2 repeats every stage-1 key of a token (and adds its own after them), so one probe per
// stage-1 key serves both stages: ScoreBoth adds stage 1's weights into one emission buffer and stage
// 2's into another, in the same order as two ScoreAll calls would (the same sums, bit for bit).
// Built at load from the compacting tables (WeightTable::Compact's callback); read-only after.
class TwoStageIndex {
 public:
  void Reserve(size_t keys);
  // Records that `key` has compact value `v` in stage `stage` (0 or 1) of the tables.
  void Add(uint64_t key, int stage, uint32_t v);
  bool empty() const { return slots_.empty(); }
  size_t keys() const { return keys_; }
  // emit1[t * kNumLabels + c] += stage 1 weights, emit2[...] += stage 2 weights, for fm's keys.
  void ScoreBoth(const FeatureMatrix& fm, const WeightTable& stage1, const WeightTable& stage2, float* emit1,
                 float* emit2) const;

 private:
  struct Slot {
    uint32_t tag;  // WeightTable's tag of the key (high 32 bits, low bit set); 0 = empty
    uint32_t v[2];
  };
  static uint32_t Tag(uint64_t key) { return static_cast<uint32_t>(key >> 32) | 1u; }
  const Slot* Find(uint64_t key) const {
    size_t i = key & mask_;
    const uint32_t tag = Tag(key);
    while (true) {
      const Slot& s = slots_[i];
      if (s.tag == tag) return &s;
      if (s.tag == 0) return nullptr;
      i = (i + 1) & mask_;
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t keys_ = 0;
};

// The casing regimes a model can serve. Each regime has its own weights (and, in `kCaseless`,
// features computed on the lower-cased text); the gazetteer is shared.
enum class Regime : int {
  kCased = 0,     // ordinary text written in mixed case
  kCaseless = 1,  // text written all in lower case or all in capitals (read lower-cased)
};
constexpr int kNumRegimes = 2;

// One regime's tagger: one or two stages and the confidence scale.
struct Tagger {
  StageWeights stage1;
  StageWeights stage2;
  bool has_stage2 = false;
  float confidence_scale = 1.0f;
  TwoStageIndex both;  // the serving path's index over both stages (empty until compacted)
};

// How a document (or a sentence) is written: the casing regime detector's verdict.
enum class Casing {
  kMixed = 0,  // ordinary text (or too few words with letters to judge)
  kLower = 1,  // every word with letters is written in lower case
  kUpper = 2,  // every word with letters is written in capitals
  kTitle = 3,  // headline style: every word capitalised but short function words ("of", "the", "in")
};
// Judges the casing of tokens [begin, end) of `doc`: kLower / kUpper when at least `min_words`
// words have letters and none contradicts (single capitals such as "I" or "A", @handles and
// #hashtags are ignored); kTitle when at least `min_words` words start with a capital (at least one
// of them not all capitals), none is mixed case, and the only lower-case words are the short
// function words that title case leaves small.
Casing DetectCasing(const DocView& doc, size_t begin, size_t end, size_t min_words = 3);

// A tagged entity: bytes [begin, end) of the document text, its type (labels.h) and a
// confidence in (0, 1]. token_begin/token_end index the tokens the tagger decoded (the host's
// tokens, with possessive "'s" split off, see SplitPossessives).
struct Mention {
  uint32_t begin;
  uint32_t end;
  uint32_t token_begin;
  uint32_t token_end;
  int type;
  float confidence;
};

struct TagScratch;

class Model {
 public:
  Model();
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Reads a model file; throws std::runtime_error saying what is wrong (missing, truncated,
  // corrupt, wrong format version).
  static std::unique_ptr<Model> Load(const std::string& path);
  // Parses model bytes; returns nullptr and sets *error on failure.
  // With `compact` false, the weight tables keep their full keys (so that a trainer can add to the
  // model and write it again) at the cost of memory and speed.
  static std::unique_ptr<Model> Parse(std::string_view bytes, std::string* error, bool compact = true);
  // Compacts every weight table to its read-only serving form and builds each two-stage regime's
  // TwoStageIndex (Parse does this unless told not to; a trainer that edited the model calls it).
  void CompactForServing();
  // Serialises the model (deterministic bytes).
  std::string Serialize() const;

  // Documents longer than this are tagged in chunks of whole sentences.
  static constexpr size_t kMaxChunkTokens = 20000;

  // Tags one document: appends its mentions, in token order, to `out`. `cancelled`, if set, is
  // polled between chunks of a long document; Tag returns false (with the mentions found so far)
  // once it says true. A name written as the body of an @handle or a #hashtag is not a mention
  // (account names and topic tags are not named entities, like URLs).
  bool Tag(const DocView& doc, std::vector<Mention>* out, const std::function<bool()>& cancelled = {}) const;
  // For a document written all in lower case or all in capitals, a truecased copy of its text,
  // so that the case-driven model can find names: likely proper nouns (tokens in the model's
  // place, name and nationality gazetteers that the dictionary does not list as common lower-case
  // words) get an initial capital, common words are lower-cased, and in all-caps text short
  // unknown words (acronyms) keep their capitals. Same byte length and offsets as the original.
  // Returns false for ordinary mixed-case text (or too few words to judge), leaving `out` alone.
  bool TruecaseText(const DocView& doc, std::string* out) const;

  // Tags `doc` as is (no possessive splitting, no chunking); also returns the per-token labels.
  void TagLabels(const DocView& doc, std::vector<uint8_t>* labels, std::vector<Mention>* out) const;

  // Whether sentences written all in lower case (at least kMinSentenceWords words) inside an
  // otherwise mixed-case document are read by the caseless weights.
  static constexpr size_t kMinSentenceWords = 4;
  bool per_sentence_casing() const { return per_sentence_casing_; }
  void set_per_sentence_casing(bool v) { per_sentence_casing_ = v; }
  // Whether a document written wholly in headline title case (a headline, a title, a query) is read
  // by the caseless weights, like lower-case text: its capitals say nothing about names. Title-case
  // sentences inside a mixed document stay with the cased weights (see TagMixed).
  bool title_case_caseless() const { return title_case_caseless_; }
  void set_title_case_caseless(bool v) { title_case_caseless_ = v; }

  // Tags `doc` as is with one regime's weights (the caller lower-cases the text for kCaseless).
  void TagLabels(const DocView& doc, Regime regime, std::vector<uint8_t>* labels, std::vector<Mention>* out) const;

  Gazetteer& gazetteer() { return gazetteer_; }
  const Gazetteer& gazetteer() const { return gazetteer_; }
  // Word clusters (empty in models of format 1 and 2); shared by both regimes.
  WordClusters& clusters() { return clusters_; }
  const WordClusters& clusters() const { return clusters_; }
  // The weights of a regime. The cased regime is always present; the caseless one once trained.
  Tagger& regime(Regime r) { return regimes_[static_cast<int>(r)]; }
  const Tagger& regime(Regime r) const { return regimes_[static_cast<int>(r)]; }
  bool has_caseless() const { return has_caseless_; }
  void set_has_caseless(bool v) { has_caseless_ = v; }
  StageWeights& stage1() { return regimes_[0].stage1; }
  StageWeights& stage2() { return regimes_[0].stage2; }
  bool has_stage2() const { return regimes_[0].has_stage2; }
  void set_has_stage2(bool v) { regimes_[0].has_stage2 = v; }
  // Free-form description written by the trainer (data, date, scores).
  const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }
  // Scale of the scores in the cased regime's confidence softmax (set by the trainer from dev data).
  float confidence_scale() const { return regimes_[0].confidence_scale; }
  void set_confidence_scale(float s) { regimes_[0].confidence_scale = s; }

  // Emission scores for every token (into `emit`), then Viterbi per segment (into `labels`).
  static void Decode(const FeatureMatrix& fm, const std::vector<Segment>& segments, const StageWeights& w,
                     std::vector<float>& emit, uint8_t* labels);

 private:

  // Tag() without the handle and hashtag filter.
  bool TagDocument(const DocView& doc, std::vector<Mention>* out, const std::function<bool()>& cancelled) const;

  // Per-call working memory (buffers and the per-regime word-type score caches), pooled so that
  // concurrent Tag() calls each take one and no call allocates once the pool is warm.
  std::unique_ptr<TagScratch> AcquireScratch() const;
  void ReleaseScratch(std::unique_ptr<TagScratch> s) const;

  Gazetteer gazetteer_;
  WordClusters clusters_;
  Tagger regimes_[kNumRegimes];
  mutable std::mutex scratch_mu_;
  mutable std::vector<std::unique_ptr<TagScratch>> scratch_pool_;
  bool has_caseless_ = false;
  bool per_sentence_casing_ = true;
  bool title_case_caseless_ = true;
  std::string description_;
  // A mixed-case document whose lower-case or all-capitals sentences take the caseless regime's labels.
  void TagMixed(const DocView& doc, std::vector<uint8_t>* labels, std::vector<Mention>* out) const;
};

// Turns a BILOU label sequence over `tokens` into mentions (confidence 1); tolerant of
// ill-formed sequences.
std::vector<Mention> MentionsFromLabels(const uint8_t* labels, size_t n, const docanalysis_token* tokens);

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_MODEL_H_
