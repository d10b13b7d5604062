#include "viterbi.h"

#include <limits>

namespace docanalysis::entity {
namespace {

struct Allowed {
  bool t[kNumLabels + 1][kNumLabels];
  bool end[kNumLabels];
  // The allowed predecessors of each label, in increasing order (9 for O, B and U; 2 for I and L).
  uint8_t preds[kNumLabels][kNumLabels];
  uint8_t npreds[kNumLabels];
  Allowed() {
    for (int p = 0; p <= kNumLabels; ++p)
      for (int c = 0; c < kNumLabels; ++c) t[p][c] = AllowedTransition(p == kNumLabels ? -1 : p, c);
    for (int c = 0; c < kNumLabels; ++c) end[c] = AllowedEnd(c);
    for (int c = 0; c < kNumLabels; ++c) {
      npreds[c] = 0;
      for (int p = 0; p < kNumLabels; ++p)
        if (t[p][c]) preds[c][npreds[c]++] = static_cast<uint8_t>(p);
    }
  }
};
const Allowed kAllowed;

}  // namespace

void Viterbi(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score,
             std::vector<uint8_t>& back) {
  if (n == 0) return;
  constexpr float kNeg = -std::numeric_limits<float>::infinity();
  score.resize(n * kNumLabels);
  back.resize(n * kNumLabels);
  for (int c = 0; c < kNumLabels; ++c)
    score[c] = kAllowed.t[kNumLabels][c] ? emit[c] + trans[kNumLabels * kNumLabels + c] : kNeg;
  for (size_t i = 1; i < n; ++i) {
    const float* prev = &score[(i - 1) * kNumLabels];
    float* cur = &score[i * kNumLabels];
    uint8_t* bp = &back[i * kNumLabels];
    for (int c = 0; c < kNumLabels; ++c) {
      float best = kNeg;
      int arg = 0;
      for (int k = 0; k < kAllowed.npreds[c]; ++k) {
        const int p = kAllowed.preds[c][k];
        float s = prev[p] + trans[p * kNumLabels + c];
        if (s > best) {
          best = s;
          arg = p;
        }
      }
      cur[c] = best + emit[i * kNumLabels + c];
      bp[c] = static_cast<uint8_t>(arg);
    }
  }
  const float* last = &score[(n - 1) * kNumLabels];
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
    if (i > 0) arg = back[i * kNumLabels + arg];
  }
}

}  // namespace docanalysis::entity
