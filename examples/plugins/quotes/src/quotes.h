// Quotation finding and attribution for the quotes example plugin.
//
// FindQuotes() pairs quotation marks (" and the typographic “ ” « ») inside a paragraph, keeps
// quotations of at least `min_words` words or with an attribution, and attributes each one from the
// words around it:
//   "...," said X.   "...," X said.   X said: "..."   X said, "..."   According to X, "..."
// with a speech verb (said, says, told, stated, added, asked, ...). The speaker phrase X becomes:
//  - the canonical name of an upstream PERSON or ORGANIZATION mention that ends the phrase (its head):
//    "said Secretary Antony Blinken" -> "Antony Blinken"; "Blinken said" -> "Antony Blinken";
//  - the phrase itself when it is a description ("a U.S. official familiar with ..." -> "a U.S.
//    official"): an entity inside a description ("U.S.") is not the speaker;
//  - for "he"/"she", the latest PERSON mention before the quotation;
//  - nothing when no pattern matches (an unattributed quotation is still returned, with no speaker).
//
// THREADING: pure functions over the document view.
#ifndef QUOTES_QUOTES_H_
#define QUOTES_QUOTES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "docanalysis/plugin.h"

namespace quotes {

struct Quote {
  uint32_t begin = 0, end = 0;  // the quoted words, marks excluded (byte offsets)
  std::string speaker;          // canonical name or description; empty when unattributed
  std::string speaker_text;     // the speaker phrase as written
  std::string speaker_type;     // person, organization, description, pronoun, name, or empty
  std::string verb;
  float score = 0;              // confidence in the attribution
};

struct Options {
  int min_words = 3;
};

std::vector<Quote> FindQuotes(const docanalysis::Document& doc, const Options& options);

}  // namespace quotes

#endif  // QUOTES_QUOTES_H_
