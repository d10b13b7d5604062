// First-order Viterbi decoding over the BILOU label set, with ill-formed transitions forbidden.
//
// THREADING: pure functions.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_VITERBI_H_
#define DOCANALYSIS_PLUGINS_ENTITY_VITERBI_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "labels.h"

namespace docanalysis::entity {

// Transition scores: row kNumLabels is the start of a sentence, rows 0..kNumLabels-1 the previous
// label; trans[prev * kNumLabels + cur].
constexpr size_t kTransSize = (kNumLabels + 1) * kNumLabels;

// Decodes the best well-formed label sequence for `n` tokens with emission scores
// `emit[i * kNumLabels + label]`. Writes n labels to `out`. `scratch` is reused across calls.
void Viterbi(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score_scratch,
             std::vector<uint8_t>& back_scratch);

namespace internal {
// The 4-float (SSE2) kernel whatever the CPU, for tests that compare it with the one Viterbi uses.
void ViterbiPortable(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score_scratch,
                     std::vector<uint8_t>& back_scratch);
// The generic kernel (every label pair tried) of the widest vectors the CPU has, for tests that
// compare it with the BILOU-shaped one Viterbi uses on AVX2.
void ViterbiGeneric(const float* emit, size_t n, const float* trans, uint8_t* out, std::vector<float>& score_scratch,
                    std::vector<uint8_t>& back_scratch);
}  // namespace internal

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_VITERBI_H_
