#include "viterbi.h"

#include <cstdint>
#include <limits>

namespace docanalysis::entity {
namespace {

struct Allowed {
  bool t[kNumLabels + 1][kNumLabels];
  bool end[kNumLabels];
  Allowed() {
    for (int p = 0; p <= kNumLabels; ++p)
      for (int c = 0; c < kNumLabels; ++c) t[p][c] = AllowedTransition(p == kNumLabels ? -1 : p, c);
    for (int c = 0; c < kNumLabels; ++c) end[c] = AllowedEnd(c);
  }
};
const Allowed kAllowed;

}  // namespace

// The decoder works on rows of kLanes floats (kNumLabels rounded up to whole vectors of W floats),
// one vector of candidate labels at a time: for every previous label p, the scores of p followed by
// each candidate are one vector addition, and the running best and its argument a comparison and
// two selects. Forbidden transitions (and the padding lanes) score -infinity in a transition table
// built per call, so they never win, and the arithmetic is the scalar decoder's: each candidate's
// score is (prev[p] + trans[p][c]) + emit[c], and ties keep the lower p. The kernel is compiled
// twice, for 4-float vectors (SSE2, every x86-64) and for 8-float vectors (AVX2, chosen at run time
// when the CPU has it): the same operations in the same order, so both give the same labels.
namespace {

template <int W>
__attribute__((always_inline)) inline void Kernel(const float* emit, size_t n, const float* trans, uint8_t* out,
                                                  std::vector<float>& score, std::vector<uint8_t>& back) {
  typedef float VF __attribute__((vector_size(4 * W)));
  typedef int32_t VI __attribute__((vector_size(4 * W)));
  constexpr int kLanes = (kNumLabels + W - 1) / W * W;
  constexpr int kVectors = kLanes / W;
  constexpr float kNeg = -std::numeric_limits<float>::infinity();
  alignas(32) float t[kNumLabels][kLanes];
  for (int p = 0; p < kNumLabels; ++p)
    for (int c = 0; c < kLanes; ++c)
      t[p][c] = c < kNumLabels && kAllowed.t[p][c] ? trans[p * kNumLabels + c] : kNeg;
  score.resize(n * kLanes);
  back.resize(n * kLanes);
  float* base = score.data();
  for (int c = 0; c < kLanes; ++c)
    base[c] = c < kNumLabels && kAllowed.t[kNumLabels][c] ? emit[c] + trans[kNumLabels * kNumLabels + c] : kNeg;
  for (size_t i = 1; i < n; ++i) {
    const float* prev = base + (i - 1) * kLanes;
    VF best[kVectors];
    VF arg[kVectors];  // the argument as a float (exact for 0..16): selects stay in one register type
    for (int v = 0; v < kVectors; ++v) best[v] = VF{} + kNeg, arg[v] = VF{};
    for (int p = 0; p < kNumLabels; ++p) {
      const VF from = VF{} + prev[p];
      const VF label = VF{} + static_cast<float>(p);
      for (int v = 0; v < kVectors; ++v) {
        VF row;
        __builtin_memcpy(&row, &t[p][W * v], sizeof(row));
        const VF s = from + row;
        const VI better = s > best[v];
        best[v] = better ? s : best[v];
        arg[v] = better ? label : arg[v];
      }
    }
    float* cur = base + i * kLanes;
    uint8_t* bp = &back[i * kLanes];
    for (int v = 0; v < kVectors; ++v) {
      __builtin_memcpy(cur + W * v, &best[v], sizeof(best[v]));
      for (int k = 0; k < W; ++k) bp[W * v + k] = static_cast<uint8_t>(arg[v][k]);
    }
    const float* e = emit + i * kNumLabels;
    for (int c = 0; c < kNumLabels; ++c) cur[c] += e[c];
  }
  const float* last = base + (n - 1) * kLanes;
  int arg = 0;
  float best = kNeg;
  for (int c = 0; c < kNumLabels; ++c) {
    if (kAllowed.end[c] && last[c] > best) {
      best = last[c];
      arg = c;
    }
  }
  for (size_t i = n; i-- > 0;) {
    out[i] = static_cast<uint8_t>(arg);
    if (i > 0) arg = back[i * kLanes + arg];
  }
}

void ViterbiSse2(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
                 std::vector<uint8_t>& back) {
  Kernel<4>(emit, n, trans, out, score, back);
}

__attribute__((target("avx2"))) void ViterbiAvx2(const float* emit, size_t n, const float* trans, uint8_t* out,
                                                 std::vector<float>& score, std::vector<uint8_t>& back) {
  Kernel<8>(emit, n, trans, out, score, back);
}

const bool kUseAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();

}  // namespace

void Viterbi(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
             std::vector<uint8_t>& back) {
  if (n == 0) return;
  if (kUseAvx2) ViterbiAvx2(emit, n, trans, out, score, back);
  else ViterbiSse2(emit, n, trans, out, score, back);
}

namespace internal {
void ViterbiPortable(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
                     std::vector<uint8_t>& back) {
  if (n == 0) return;
  ViterbiSse2(emit, n, trans, out, score, back);
}
}  // namespace internal

}  // namespace docanalysis::entity
