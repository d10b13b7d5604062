// Rule-based pattern entities: DATE, NUMBER, MONEY, PERCENT, EMAIL, URL, PHONE.
//
// Rules work on the host's tokens (never re-tokenising) plus a character-level scanner for phone
// numbers and numeric dates, whose spans are then snapped to token boundaries. Overlaps are
// resolved by priority: EMAIL, URL, PHONE, MONEY, PERCENT, DATE, NUMBER.
//
//   "Call +1 202 555 0100 by 22 August 1996 about the $5 million (3.5%) deal"
//   -> PHONE "+1 202 555 0100", DATE "22 August 1996", MONEY "$5 million", PERCENT "3.5%"
//
// THREADING: pure function, safe to call concurrently.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_PATTERNS_H_
#define DOCANALYSIS_PLUGINS_ENTITY_PATTERNS_H_

#include <cstdint>
#include <vector>

#include "ner_features.h"

namespace docanalysis::entity {

struct PatternMention {
  uint32_t begin;  // byte offsets into the document text
  uint32_t end;
  int32_t type;  // DOCANALYSIS_ENTITY_* (plugin_abi.h)
  float confidence;
};

// Appends the document's pattern entities, sorted by offset and non-overlapping, to `out`.
void FindPatterns(const DocView& doc, std::vector<PatternMention>* out);

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_PATTERNS_H_
