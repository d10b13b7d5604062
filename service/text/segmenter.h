// The text pipeline's segmenter: splits UTF-8 text into tokens and sentences with byte offsets.
//
// It runs once per document in the host; every plugin receives its output through
// docanalysis_document, so no plugin tokenises on its own. It knows abbreviations (U.S., Maj. Gen.,
// Dr., Jan.), initials (Kurt M. Campbell), decimals and thousands (3.5, 1,100), quotes, URLs,
// e-mail addresses, emoji and non-Latin scripts.
//
// Sentences end at . ! ? (and runs of them, with closing quotes or brackets), at a blank line, and
// at a line break when the next line does not continue the sentence (it starts lower-case).
//
// THREADING: Segment() is a pure function, safe to call concurrently.
//
//   docanalysis::text::Segmentation s = docanalysis::text::Segment("Dr. Smith left. He ran.");
//   // s.sentences.size() == 2, s.tokens[0] covers "Dr."
#ifndef DOCANALYSIS_SERVICE_TEXT_SEGMENTER_H_
#define DOCANALYSIS_SERVICE_TEXT_SEGMENTER_H_

#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "service/text/cancel.h"

namespace docanalysis::text {

struct Segmentation {
  std::vector<docanalysis_token> tokens;
  std::vector<docanalysis_sentence> sentences;
};

// Segments `text`, which must be valid UTF-8 (see utf8.h). Offsets are bytes into `text`.
// Time is linear in the text's length for any input: every scanner makes one forward pass with
// bounded look-ahead and look-back (segmenter_linear_test.cc checks it on hostile shapes).
Segmentation Segment(std::string_view text);

// The same, polling `cancel` as it goes; returns false (and leaves *out alone) once cancelled.
bool Segment(std::string_view text, CancelCheck* cancel, Segmentation* out);

}  // namespace docanalysis::text

#endif  // DOCANALYSIS_SERVICE_TEXT_SEGMENTER_H_
