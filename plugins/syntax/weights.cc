#include "weights.h"

namespace docanalysis::syntax {

// Built for AVX2 and for the baseline; the loader picks the one the CPU runs (GCC target_clones).
// Clang 14 (the fuzzing and sanitizer builds) does not resolve target_clones on member functions,
// so it gets the baseline only.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void WeightTable::Score(const uint64_t* features, size_t n, float* scores) const {
  if (n > kMaxBatch) n = kMaxBatch;
  size_t slot[kMaxBatch];
  for (size_t i = 0; i < n; ++i) {
    slot[i] = Mix(features[i]) & mask_;
    __builtin_prefetch(&index_[slot[i]]);
  }
  uint32_t begin[kMaxBatch], end[kMaxBatch];
  for (size_t i = 0; i < n; ++i) {
    const Slot* sl = Find(features[i], slot[i]);
    begin[i] = sl ? sl->begin : 0;
    end[i] = sl ? sl->end : 0;
    if (end[i] == kDense) {
      __builtin_prefetch(&dense_[static_cast<size_t>(begin[i]) * stride_]);
    } else if (begin[i] != end[i]) {
      __builtin_prefetch(&cls_[begin[i]]);
      __builtin_prefetch(&w_[begin[i]]);
    }
  }
  const uint8_t* cls = cls_.data();
  const float* w = w_.data();
  const float* dense = dense_.data();
  const size_t stride = stride_;
  for (size_t i = 0; i < n; ++i) {
    if (end[i] == kDense) {
      const float* row = dense + static_cast<size_t>(begin[i]) * stride;
      for (size_t c = 0; c < stride; ++c) scores[c] += row[c];
    } else {
      for (uint32_t j = begin[i]; j < end[i]; ++j) scores[cls[j]] += w[j];
    }
  }
}

}  // namespace docanalysis::syntax
