// The tagger's label set: BILOU tags over the four CoNLL types, plus O.
//
// Label 0 is O; type t (0..3) has labels 1 + 4t + {B, I, L, U}.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_LABELS_H_
#define DOCANALYSIS_PLUGINS_ENTITY_LABELS_H_

#include <cstdint>
#include <string>

#include "docanalysis/plugin_abi.h"

namespace docanalysis::entity {

constexpr int kNumTypes = 4;  // PER, LOC, ORG, MISC
constexpr int kNumLabels = 1 + 4 * kNumTypes;
enum Part { kB = 0, kI = 1, kL = 2, kU = 3 };

inline int MakeLabel(int type, int part) { return 1 + 4 * type + part; }
inline int LabelType(int label) { return label == 0 ? -1 : (label - 1) / 4; }
inline int LabelPart(int label) { return label == 0 ? -1 : (label - 1) % 4; }

// CoNLL type names, in type order.
inline const char* TypeName(int type) {
  static const char* kNames[] = {"PER", "LOC", "ORG", "MISC"};
  return (type >= 0 && type < kNumTypes) ? kNames[type] : "O";
}
// Type index for a CoNLL type name ("PER", "LOC", "ORG", "MISC"), or -1.
inline int TypeFromName(const std::string& name) {
  for (int t = 0; t < kNumTypes; ++t)
    if (name == TypeName(t)) return t;
  return -1;
}
// The ABI entity type of a tagger type.
inline int32_t AbiType(int type) {
  static const int32_t kAbi[] = {DOCANALYSIS_ENTITY_PERSON, DOCANALYSIS_ENTITY_LOCATION,
                                 DOCANALYSIS_ENTITY_ORGANIZATION, DOCANALYSIS_ENTITY_MISC};
  return (type >= 0 && type < kNumTypes) ? kAbi[type] : DOCANALYSIS_ENTITY_UNSPECIFIED;
}
inline std::string LabelName(int label) {
  if (label == 0) return "O";
  static const char kParts[] = {'B', 'I', 'L', 'U'};
  return std::string(1, kParts[LabelPart(label)]) + "-" + TypeName(LabelType(label));
}

// Whether label `cur` may follow `prev` (-1 = start of sentence) in a well-formed BILOU sequence.
inline bool AllowedTransition(int prev, int cur) {
  bool prev_open = prev > 0 && (LabelPart(prev) == kB || LabelPart(prev) == kI);
  if (prev_open) return cur > 0 && LabelType(cur) == LabelType(prev) && (LabelPart(cur) == kI || LabelPart(cur) == kL);
  return cur == 0 || LabelPart(cur) == kB || LabelPart(cur) == kU;
}
// Whether a sentence may end after `label`.
inline bool AllowedEnd(int label) { return label == 0 || LabelPart(label) == kL || LabelPart(label) == kU; }

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_LABELS_H_
