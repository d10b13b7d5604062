// Sparse averaged-perceptron weights: training-time rows and the compact run-time table.
//
// A feature is a 64-bit hash (see Hash* below); each feature has a short list of (class, weight)
// pairs, classes < 256. Training (TrainWeights) keeps running totals for averaging; Compact()
// turns the averages into the immutable WeightTable that the plugin scores with.
//
// Determinism: every loop that produces model bytes iterates features in sorted key order.
// THREADING: TrainWeights is single-threaded. WeightTable is immutable after Build()/Read(), so
// Score() may run concurrently.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_WEIGHTS_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_WEIGHTS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "binary_io.h"

namespace docanalysis::syntax {

// Forced inline: ParserFeatures() makes 84 features a transition, and a call each cost more than the
// hash (and hid the constant template number from the compiler).
#if defined(__GNUC__)
#define DOCANALYSIS_SYNTAX_INLINE inline __attribute__((always_inline))
#else
#define DOCANALYSIS_SYNTAX_INLINE inline
#endif

DOCANALYSIS_SYNTAX_INLINE uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
inline uint64_t HashStr(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return Mix(h);
}
// A feature of template `t` over atoms a, b, c (each already a hash or a small id).
DOCANALYSIS_SYNTAX_INLINE uint64_t Feat(uint32_t t, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  uint64_t h = Mix(a + 0x9e3779b97f4a7c15ULL * (t + 1));
  h = Mix(h ^ (b + 0x632be59bd9b4e019ULL));
  return Mix(h ^ (c + 0x85ebca6b27d4eb4fULL));
}

// Feature hashing, scheme 2 (models of format 4 with the kHash2 flag): the template and atoms
// combined by two multiply-adds with one odd constant (K^2 (a + T_t) + K b + c: a bijection of c for
// fixed a and b, of b for fixed a and c, and so on), then one multiply between two xor-shifts, where
// scheme 1 takes three full mixes. The same features get other keys, so a model trained with it
// learns the same weights for them, and gives the same outputs if no two features share a key.
DOCANALYSIS_SYNTAX_INLINE uint64_t Feat2(uint32_t t, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t h = a + (static_cast<uint64_t>(t) + 1) * 0xd6e8feb86659fd93ULL;
  h = h * kMul + b;
  h = h * kMul + c;
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}
template <int kHash>
DOCANALYSIS_SYNTAX_INLINE uint64_t FeatOf(uint32_t t, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  if constexpr (kHash == 2) return Feat2(t, a, b, c);
  else return Feat(t, a, b, c);
}

// The compact scoring table. The rows are stored in key order (the file format, and Write() /
// Pruned()); at load, BuildIndex() lays them out again for scoring:
//  - an open-addressing index of 8-byte slots {the key's high 32 bits, a reference to the row},
//    probed linearly from the key's low bits (keys are already well mixed hashes);
//  - one arena of rows, each a 4-byte-aligned run of 32-bit words: the key's low 32 bits (so that
//    a tag match is checked against the whole 64-bit key, and lookups answer exactly what a
//    std::unordered_map of the keys would), the row's length, then either the weights and class
//    bytes of a sparse row, or a dense row of stride() weights (zeros where the row has none) for
//    rows that hold weights for an eighth of the classes or more, added with vector code.
// A lookup thus touches one index line and the row's own lines, and Score() looks its features up
// in three passes (prefetch slots, find and prefetch rows, add) so that the cache misses of one
// call overlap instead of queueing. Weights are added feature by feature in the caller's order,
// and within a feature class by class, so every score is the same float sum as a plain
// one-feature-at-a-time loop gives (ScoreReference()), to the bit.
class WeightTable {
 public:
  // Adds the weights of `features` (at most kMaxBatch) to scores[0..n_classes).
  static constexpr size_t kMaxBatch = 128;
  void Score(const uint64_t* features, size_t n, float* scores) const;
  // Sets scores[0..stride()) to the sums of `features`. When features[0] is the key given to
  // KeepFirst() (a feature every call starts with, such as a bias), its sums are copied instead of
  // looked up and added: the same floats, as the first addition is to zeros.
  void ScoreFromZero(const uint64_t* features, size_t n, float* scores) const {
    if (n > 0 && has_first_ && features[0] == first_key_) {
      std::memcpy(scores, first_.data(), stride_ * sizeof(float));
      Score(features + 1, n - 1, scores);
    } else {
      std::fill(scores, scores + stride_, 0.0f);
      Score(features, n, scores);
    }
  }
  void KeepFirst(uint64_t key) {
    first_.assign(stride_, 0.0f);
    Score(&key, 1, first_.data());
    first_key_ = key;
    has_first_ = true;
  }
  // The same sums by the stored rows and a plain search, for tests.
  void ScoreReference(const uint64_t* features, size_t n, float* scores) const;
  // The length `scores` must have for Score(): the class count rounded up to a multiple of 8.
  size_t stride() const { return stride_; }
  size_t feature_count() const { return keys_.size(); }
  size_t weight_count() const { return w_.size(); }

  // A copy without the features whose largest |weight| is below `min_row_max` (rare features whose
  // averaged weights stayed small), and without single weights below `min_weight`.
  WeightTable Pruned(float min_row_max, float min_weight, size_t classes) const {
    WeightTable t;
    std::vector<std::pair<uint8_t, float>> row;
    for (size_t i = 0; i + 1 < start_.size(); ++i) {
      float mx = 0;
      for (uint32_t j = start_[i]; j < start_[i + 1]; ++j) mx = std::max(mx, std::fabs(w_[j]));
      if (mx < min_row_max) continue;
      row.clear();
      for (uint32_t j = start_[i]; j < start_[i + 1]; ++j)
        if (std::fabs(w_[j]) >= min_weight) row.emplace_back(cls_[j], w_[j]);
      if (!row.empty()) t.Append(keys_[i], row);
    }
    t.BuildIndex(classes);
    return t;
  }

  // Rows must be given in increasing key order.
  void Append(uint64_t key, const std::vector<std::pair<uint8_t, float>>& row) {
    if (start_.empty()) start_.push_back(0);
    keys_.push_back(key);
    for (const auto& [c, w] : row) cls_.push_back(c), w_.push_back(w);
    start_.push_back(static_cast<uint32_t>(w_.size()));
  }
  void Write(BinaryWriter& out) const {
    out.PutVector(keys_);
    out.PutVector(start_);
    out.PutVector(cls_);
    out.PutVector(w_);
  }
  bool Read(BinaryReader& in, size_t classes) {
    if (!in.GetVector(keys_) || !in.GetVector(start_) || !in.GetVector(cls_) || !in.GetVector(w_)) return false;
    if (start_.size() != keys_.size() + 1 || cls_.size() != w_.size() || start_.back() != w_.size()) return false;
    for (size_t i = 0; i + 1 < start_.size(); ++i)
      if (start_[i] > start_[i + 1]) return false;
    for (uint8_t c : cls_)
      if (c >= classes) return false;
    BuildIndex(classes);
    return true;
  }
  void BuildIndex(size_t classes);

 private:
  // A slot: the key's high 32 bits, and the row's offset in arena_ (in 32-bit words; 0: empty
  // slot), its top bit set for a dense row.
  struct Slot {
    uint32_t tag, ref;
  };
  static constexpr uint32_t kDenseBit = 0x80000000u;
  static constexpr size_t kDenseShare = 8;  // rows with at least 1/kDenseShare of the classes are dense
  // The row of `key` whose slot is at or after `s`, or 0.
  uint32_t FindFrom(uint64_t key, size_t s) const {
    const uint32_t tag = static_cast<uint32_t>(key >> 32);
    while (true) {
      const Slot sl = index_[s];
      if (sl.ref == 0) return 0;
      if (sl.tag == tag && arena_[sl.ref & ~kDenseBit] == static_cast<uint32_t>(key)) return sl.ref;
      s = (s + 1) & mask_;
    }
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> start_;
  std::vector<uint8_t> cls_;
  std::vector<float> w_;
  std::vector<Slot> index_{Slot{0, 0}};
  std::vector<uint32_t> arena_{0};
  size_t stride_ = 8;
  size_t mask_ = 0;
  // KeepFirst()'s key and sums (reset by BuildIndex()).
  bool has_first_ = false;
  uint64_t first_key_ = 0;
  std::vector<float> first_;
};

// Averaged perceptron weights during training.
class TrainWeights {
 public:
  void Score(const uint64_t* features, size_t n, float* scores) const {
    for (size_t i = 0; i < n; ++i) {
      auto it = rows_.find(features[i]);
      if (it == rows_.end()) continue;
      for (const Entry& e : it->second) scores[e.cls] += e.w;
    }
  }
  // Adds `delta` to the weights of class `cls` for every feature.
  void Update(const uint64_t* features, size_t n, int cls, float delta) {
    for (size_t i = 0; i < n; ++i) {
      std::vector<Entry>& row = rows_[features[i]];
      Entry* e = nullptr;
      for (Entry& x : row)
        if (x.cls == cls) { e = &x; break; }
      if (e == nullptr) { row.push_back({static_cast<uint8_t>(cls), 0, 0, now_}); e = &row.back(); }
      e->total += static_cast<double>(now_ - e->stamp) * e->w;
      e->stamp = now_;
      e->w += delta;
    }
  }
  // One training example seen (the clock of the averaging).
  void Tick() { ++now_; }
  // The averaged weights, |w| >= prune, as a compact table.
  WeightTable Compact(float prune, size_t classes) const {
    std::vector<uint64_t> keys;
    keys.reserve(rows_.size());
    for (const auto& [k, row] : rows_) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    WeightTable t;
    std::vector<std::pair<uint8_t, float>> out;
    for (uint64_t k : keys) {
      out.clear();
      for (const Entry& e : rows_.at(k)) {
        double total = e.total + static_cast<double>(now_ - e.stamp) * e.w;
        float avg = now_ > 0 ? static_cast<float>(total / static_cast<double>(now_)) : 0.0f;
        if (std::fabs(avg) >= prune && avg != 0.0f) out.emplace_back(e.cls, avg);
      }
      if (out.empty()) continue;
      std::sort(out.begin(), out.end());
      t.Append(k, out);
    }
    t.BuildIndex(classes);
    return t;
  }

 private:
  struct Entry {
    uint8_t cls;
    float w;
    double total;
    int64_t stamp;
  };
  std::unordered_map<uint64_t, std::vector<Entry>> rows_;
  int64_t now_ = 0;
};

// A deterministic PRNG (xorshift64*), identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 2685821657736338717ULL;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Next() % i]);
  }

 private:
  uint64_t s_;
};

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_WEIGHTS_H_
