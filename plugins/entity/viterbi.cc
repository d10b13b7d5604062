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

// The BILOU decoder for AVX2, using the shape of the allowed transitions: after O, L-x or U-x (the
// "closers", and the start) come only O, B-y or U-y (the "openers"); after B-x or I-x only I-x or L-x.
// So the 9 opener candidates take their best over the 9 closers, and each I-x / L-x over B-x and I-x
// only: 9 x 2 + 2 vector steps per token instead of 17 x 3. Scores live in a permuted lane order,
//   lanes 0..7:  I-0 L-0 I-1 L-1 I-2 L-2 I-3 L-3      lanes 8..16: O B-0 U-0 B-1 U-1 B-2 U-2 B-3 U-3,
// so that B-x and I-x of every type are one permutation away. The additions, the order in which
// predecessors are tried (ascending label) and the strict comparisons are the generic kernel's, so the
// labels are the same (ViterbiTest.BilouKernelMatchesTheGenericOne checks it on random scores).
namespace bilou {

constexpr int kLanes = 24;
constexpr int kLabelOfLane[kLanes] = {2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13, 16,
                                      -1, -1, -1, -1, -1, -1, -1};
constexpr int kClosers[9] = {0, 3, 4, 7, 8, 11, 12, 15, 16};  // O, L-x, U-x in ascending label order

struct LaneOf {
  int lane[kNumLabels];
  constexpr LaneOf() : lane() {
    for (int l = 0; l < kLanes; ++l)
      if (kLabelOfLane[l] >= 0) lane[kLabelOfLane[l]] = l;
  }
};
constexpr LaneOf kLaneOf;

typedef float VF8 __attribute__((vector_size(32)));
__attribute__((target("avx2"), always_inline)) inline VF8 Load8(const float* p) {
  VF8 v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}

}  // namespace bilou

__attribute__((target("avx2"))) void ViterbiBilouAvx2(const float* emit, size_t n, const float* trans, uint8_t* out,
                                                      std::vector<float>& score, std::vector<uint8_t>& back) {
  using namespace bilou;
  typedef VF8 VF;
  typedef int32_t VI __attribute__((vector_size(32)));
  constexpr float kNeg = -std::numeric_limits<float>::infinity();
  // Transition rows in lane order: opener candidates (lanes 8..23) for each closer, and the two
  // predecessors (B-x, I-x) of each I/L candidate (lanes 0..7).
  alignas(32) float open_rows[9][16];
  for (int k = 0; k < 9; ++k)
    for (int j = 0; j < 16; ++j) {
      const int c = kLabelOfLane[8 + j];
      open_rows[k][j] = c >= 0 ? trans[kClosers[k] * kNumLabels + c] : kNeg;
    }
  alignas(32) float from_b_row[8], from_i_row[8], b_label[8], i_label[8];
  for (int j = 0; j < 8; ++j) {
    const int c = kLabelOfLane[j], type = j / 2;
    const int b = MakeLabel(type, kB), i = MakeLabel(type, kI);
    from_b_row[j] = trans[b * kNumLabels + c];
    from_i_row[j] = trans[i * kNumLabels + c];
    b_label[j] = static_cast<float>(b);
    i_label[j] = static_cast<float>(i);
  }
  const VF tb = Load8(from_b_row), ti = Load8(from_i_row), lb = Load8(b_label), li = Load8(i_label);

  score.resize(n * kLanes);
  back.resize(n * kLanes);
  float* base = score.data();
  for (int l = 0; l < kLanes; ++l) {
    const int c = kLabelOfLane[l];
    base[l] = c >= 0 && kAllowed.t[kNumLabels][c] ? emit[c] + trans[kNumLabels * kNumLabels + c] : kNeg;
  }
  for (size_t i = 1; i < n; ++i) {
    const float* prev = base + (i - 1) * kLanes;
    float* cur = base + i * kLanes;
    uint8_t* bp = &back[i * kLanes];
    // I-x and L-x: from B-x, then from I-x.
    const VF il = Load8(prev), open = Load8(prev + 8);
    // B-x sits in lanes 8..15 at 1, 3, 5, 7; I-x in lanes 0..7 at 0, 2, 4, 6 (GCC 12 and clang both
    // have __builtin_shufflevector).
    const VF from_b = __builtin_shufflevector(open, open, 1, 1, 3, 3, 5, 5, 7, 7);
    const VF from_i = __builtin_shufflevector(il, il, 0, 0, 2, 2, 4, 4, 6, 6);
    VF best = VF{} + kNeg, arg = VF{};
    VF s = from_b + tb;
    VI better = s > best;
    best = better ? s : best;
    arg = better ? lb : arg;
    s = from_i + ti;
    better = s > best;
    best = better ? s : best;
    arg = better ? li : arg;
    // O, B-y, U-y: from every closer, in ascending label order.
    VF best_lo = VF{} + kNeg, best_hi = VF{} + kNeg, arg_lo = VF{}, arg_hi = VF{};
    for (int k = 0; k < 9; ++k) {
      const VF from = VF{} + prev[kLaneOf.lane[kClosers[k]]];
      const VF label = VF{} + static_cast<float>(kClosers[k]);
      const VF s_lo = from + Load8(open_rows[k]), s_hi = from + Load8(open_rows[k] + 8);
      const VI b_lo = s_lo > best_lo, b_hi = s_hi > best_hi;
      best_lo = b_lo ? s_lo : best_lo;
      arg_lo = b_lo ? label : arg_lo;
      best_hi = b_hi ? s_hi : best_hi;
      arg_hi = b_hi ? label : arg_hi;
    }
    __builtin_memcpy(cur, &best, sizeof(best));
    __builtin_memcpy(cur + 8, &best_lo, sizeof(best_lo));
    __builtin_memcpy(cur + 16, &best_hi, sizeof(best_hi));
    const float* e = emit + i * kNumLabels;
    for (int l = 0; l < 17; ++l) cur[l] += e[kLabelOfLane[l]];
    for (int l = 0; l < 8; ++l) bp[l] = static_cast<uint8_t>(arg[l]);
    for (int l = 0; l < 8; ++l) bp[8 + l] = static_cast<uint8_t>(arg_lo[l]);
    bp[16] = static_cast<uint8_t>(arg_hi[0]);
  }
  const float* last = base + (n - 1) * kLanes;
  int arg = 0;
  float best = kNeg;
  for (int c = 0; c < kNumLabels; ++c) {
    const float v = last[kLaneOf.lane[c]];
    if (kAllowed.end[c] && v > best) {
      best = v;
      arg = c;
    }
  }
  for (size_t i = n; i-- > 0;) {
    out[i] = static_cast<uint8_t>(arg);
    if (i > 0) arg = back[i * kLanes + kLaneOf.lane[arg]];
  }
}

const bool kUseAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();

}  // namespace

void Viterbi(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
             std::vector<uint8_t>& back) {
  if (n == 0) return;
  if (kUseAvx2) ViterbiBilouAvx2(emit, n, trans, out, score, back);
  else ViterbiSse2(emit, n, trans, out, score, back);
}

namespace internal {
void ViterbiPortable(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
                     std::vector<uint8_t>& back) {
  if (n == 0) return;
  ViterbiSse2(emit, n, trans, out, score, back);
}

void ViterbiGeneric(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
                    std::vector<uint8_t>& back) {
  if (n == 0) return;
  if (kUseAvx2) ViterbiAvx2(emit, n, trans, out, score, back);
  else ViterbiSse2(emit, n, trans, out, score, back);
}
}  // namespace internal

}  // namespace docanalysis::entity
