#include "weights.h"

namespace docanalysis::syntax {
namespace {

// Loads and stores of the arena's weights and of caller's scores: any alignment, any aliasing.
typedef float AnyFloat __attribute__((may_alias));
typedef float V8 __attribute__((vector_size(32), aligned(4), may_alias));

// scores[0..stride) += row[0..stride), eight classes at a time (two SSE2 or one AVX2 addition).
template <size_t kStride>
inline void AddDenseFixed(float* scores, const AnyFloat* row) {
  for (size_t c = 0; c < kStride; c += 8) {
    V8 a = *reinterpret_cast<const V8*>(scores + c);
    a += *reinterpret_cast<const V8*>(row + c);
    *reinterpret_cast<V8*>(scores + c) = a;
  }
}
inline void AddDense(float* scores, const AnyFloat* row, size_t stride) {
  switch (stride) {  // the shipped model: 102 tag classes and 103 transitions, stride 104
    case 104: AddDenseFixed<104>(scores, row); return;
    case 112: AddDenseFixed<112>(scores, row); return;
    default:
      for (size_t c = 0; c < stride; c += 8) {
        V8 a = *reinterpret_cast<const V8*>(scores + c);
        a += *reinterpret_cast<const V8*>(row + c);
        *reinterpret_cast<V8*>(scores + c) = a;
      }
  }
}

}  // namespace

void WeightTable::BuildIndex(size_t classes) {
  has_first_ = false;
  first_.clear();
  if (start_.empty()) start_.push_back(0);
  stride_ = (classes + 7) / 8 * 8;
  size_t cap = 16;
  while (cap < keys_.size() * 2) cap <<= 1;
  index_.assign(cap, Slot{0, 0});
  mask_ = cap - 1;
  auto dense = [&](size_t len) { return kDenseShare * len >= classes; };
  // Row layout (32-bit words): key low bits, length, then stride_ floats (dense) or `length`
  // floats and `length` class bytes (sparse).
  size_t words = 1;  // offset 0 is the empty slot's reference
  for (size_t i = 0; i < keys_.size(); ++i) {
    const size_t len = start_[i + 1] - start_[i];
    if (len == 0) continue;
    words += 2 + (dense(len) ? stride_ : len + (len + 3) / 4);
  }
  if (words >= kDenseBit) {  // beyond what a reference holds: no model comes near (35 MB files)
    keys_.clear(), start_.assign(1, 0), cls_.clear(), w_.clear();
    words = 1;
  }
  arena_.assign(words, 0);
  // The rows go to the arena in key order; their slots are filled afterwards in the order of their
  // home slots (by runs of kRun slots), so that the probes walk the index nearly in order instead of
  // missing the cache at every row. The slots a key ends in can differ from key-order filling when
  // keys collide; every lookup finds the same row.
  std::vector<uint32_t> ref_of(keys_.size(), 0);
  size_t pos = 1;
  for (size_t i = 0; i < keys_.size(); ++i) {
    const uint32_t b = start_[i], e = start_[i + 1];
    const size_t len = e - b;
    if (len == 0) continue;  // an empty row is no row
    arena_[pos] = static_cast<uint32_t>(keys_[i]);
    float* w = reinterpret_cast<float*>(&arena_[pos + 2]);
    uint32_t ref = static_cast<uint32_t>(pos);
    if (dense(len)) {
      arena_[pos + 1] = static_cast<uint32_t>(stride_);
      for (uint32_t j = b; j < e; ++j) std::memcpy(&w[cls_[j]], &w_[j], sizeof(float));
      ref |= kDenseBit;
      pos += 2 + stride_;
    } else {
      arena_[pos + 1] = static_cast<uint32_t>(len);
      std::memcpy(w, &w_[b], len * sizeof(float));
      std::memcpy(reinterpret_cast<uint8_t*>(w + len), &cls_[b], len);
      pos += 2 + len + (len + 3) / 4;
    }
    ref_of[i] = ref;
  }
  constexpr size_t kRun = 512;  // slots of a run: 4 KB of index
  const size_t runs = (mask_ + kRun) / kRun;
  std::vector<uint32_t> first(runs + 1, 0), order(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i)
    if (ref_of[i] != 0) ++first[((keys_[i] & mask_) / kRun) + 1];
  for (size_t r = 0; r < runs; ++r) first[r + 1] += first[r];
  for (size_t i = 0; i < keys_.size(); ++i)
    if (ref_of[i] != 0) order[first[(keys_[i] & mask_) / kRun]++] = static_cast<uint32_t>(i);
  const size_t rows = first[runs > 0 ? runs - 1 : 0];
  for (size_t k = 0; k < rows; ++k) {
    const size_t i = order[k];
    size_t s = keys_[i] & mask_;
    while (index_[s].ref != 0) s = (s + 1) & mask_;
    index_[s] = Slot{static_cast<uint32_t>(keys_[i] >> 32), ref_of[i]};
  }
}

// Built for AVX2 and for the baseline; the loader picks the one the CPU runs (GCC target_clones,
// which asks __builtin_cpu_supports). Both add the same floats in the same order, so they give the
// same sums to the bit. Clang 14 (the fuzzing and sanitizer builds) does not resolve target_clones
// on member functions, so it gets the baseline only.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void WeightTable::Score(const uint64_t* features, size_t n, float* scores) const {
  if (n > kMaxBatch) n = kMaxBatch;
  const Slot* index = index_.data();
  const uint32_t* arena = arena_.data();
  const size_t mask = mask_, stride = stride_;
  uint32_t slot[kMaxBatch], ref[kMaxBatch];
  // Pass 1: the home slots, prefetched.
  for (size_t i = 0; i < n; ++i) {
    slot[i] = static_cast<uint32_t>(features[i] & mask);
    __builtin_prefetch(&index[slot[i]]);
  }
  // Pass 2: the first slot whose tag matches (the full key is checked in pass 3), its row prefetched.
  for (size_t i = 0; i < n; ++i) {
    const uint32_t tag = static_cast<uint32_t>(features[i] >> 32);
    size_t s = slot[i];
    uint32_t r = 0;
    while (true) {
      const Slot sl = index[s];
      if (sl.ref == 0) break;
      if (sl.tag == tag) { r = sl.ref; break; }
      s = (s + 1) & mask;
    }
    slot[i] = static_cast<uint32_t>(s);
    ref[i] = r;
    if (r == 0) continue;
    const char* row = reinterpret_cast<const char*>(arena + (r & ~kDenseBit));
    __builtin_prefetch(row);
    if (r & kDenseBit) {
      if (stride == 104) {  // 424 bytes: seven lines, unrolled
        for (size_t b = 64; b < (2 + 104) * 4; b += 64) __builtin_prefetch(row + b);
      } else {
        for (size_t b = 64; b < (2 + stride) * 4; b += 64) __builtin_prefetch(row + b);
      }
    } else {
      __builtin_prefetch(row + 60);
    }
  }
  // Pass 3: the additions, in the callers' order. A row's reference is checked against the whole
  // key first (a tag match of another key: the slow search).
  auto resolve = [&](size_t i) -> uint32_t {
    const uint32_t r = ref[i];
    if (r == 0 || arena[r & ~kDenseBit] == static_cast<uint32_t>(features[i])) return r;
    return ref[i] = FindFrom(features[i], (slot[i] + 1) & mask);
  };
  auto row_of = [&](uint32_t r) { return reinterpret_cast<const AnyFloat*>(arena + (r & ~kDenseBit) + 2); };
  size_t i = 0;
  while (i < n) {
    const uint32_t r = resolve(i);
    if (r == 0) {
      ++i;
      continue;
    }
    const AnyFloat* w = row_of(r);
    if (r & kDenseBit) {
      if (stride != 104) {
        AddDense(scores, w, stride);
        ++i;
        continue;
      }
      // A run of dense rows (features that have none in between do not end it) is added in
      // registers: the scores are loaded once and stored once. Same additions, same order.
      V8 acc[13];
      for (size_t c = 0; c < 13; ++c) acc[c] = *reinterpret_cast<const V8*>(scores + 8 * c);
      for (size_t c = 0; c < 13; ++c) acc[c] += *reinterpret_cast<const V8*>(w + 8 * c);
      for (++i; i < n; ++i) {
        const uint32_t q = resolve(i);
        if (q == 0) continue;
        if (!(q & kDenseBit)) break;
        const AnyFloat* v = row_of(q);
        for (size_t c = 0; c < 13; ++c) acc[c] += *reinterpret_cast<const V8*>(v + 8 * c);
      }
      for (size_t c = 0; c < 13; ++c) *reinterpret_cast<V8*>(scores + 8 * c) = acc[c];
      continue;
    }
    const size_t len = arena[(r & ~kDenseBit) + 1];
    const uint8_t* cls = reinterpret_cast<const uint8_t*>(w + len);
    size_t j = 0;
    for (; j + 2 <= len; j += 2) {  // a row's classes are distinct in any model Compact() writes,
      const size_t c0 = cls[j], c1 = cls[j + 1];  // but not necessarily in a file: two steps
      scores[c0] += w[j];
      scores[c1] += w[j + 1];
    }
    if (j < len) scores[cls[j]] += w[j];
    ++i;
  }
}

void WeightTable::ScoreReference(const uint64_t* features, size_t n, float* scores) const {
  if (n > kMaxBatch) n = kMaxBatch;
  const size_t classes_bound = stride_;
  for (size_t i = 0; i < n; ++i) {
    size_t k = static_cast<size_t>(std::lower_bound(keys_.begin(), keys_.end(), features[i]) - keys_.begin());
    while (k < keys_.size() && keys_[k] == features[i] && start_[k] == start_[k + 1]) ++k;
    if (k == keys_.size() || keys_[k] != features[i]) continue;
    for (uint32_t j = start_[k]; j < start_[k + 1]; ++j)
      if (cls_[j] < classes_bound) scores[cls_[j]] += w_[j];
  }
}

}  // namespace docanalysis::syntax
