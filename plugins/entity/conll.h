// CoNLL-2003 reading, gold-label alignment and conlleval-style scoring, for the trainer, the
// quality test and the benchmark.
//
// A CoNLL document is rebuilt exactly as the acceptance check sends it to the service: its tokens
// joined by single spaces, one sentence per line (each line ends in '\n'). Gold entities become
// byte spans of that text (IOB1 or IOB2: a B- tag or a type change starts a new entity). The text
// is then segmented by the host's segmenter, and gold spans are mapped onto host tokens by
// character offsets, so that training and serving see the same tokens.
//
// THREADING: pure functions.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_CONLL_H_
#define DOCANALYSIS_PLUGINS_ENTITY_CONLL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "ner_features.h"
#include "model.h"

namespace docanalysis::entity {

struct GoldSpan {
  uint32_t begin;  // byte offsets into ConllDoc::text
  uint32_t end;
  int type;  // labels.h type index
  bool operator==(const GoldSpan& o) const { return begin == o.begin && end == o.end && type == o.type; }
  bool operator<(const GoldSpan& o) const {
    return begin != o.begin ? begin < o.begin : end != o.end ? end < o.end : type < o.type;
  }
};

struct ConllDoc {
  std::string text;
  std::vector<GoldSpan> spans;
};

// Reads a CoNLL file (word first column, NER tag last column, -DOCSTART- between documents).
// Throws std::runtime_error if the file cannot be read.
std::vector<ConllDoc> ReadConll(const std::string& path);

// A segmented document: the host's tokens and sentences for a text.
struct Segmented {
  std::vector<docanalysis_token> tokens;
  std::vector<docanalysis_sentence> sentences;
};
using SegmentFn = std::function<Segmented(std::string_view)>;

// Splits on whitespace; one sentence per line. A stand-in for tests that need no host.
Segmented WhitespaceSegment(std::string_view text);

DocView ViewOf(std::string_view text, const Segmented& s);

// BILOU labels of `tokens` for `spans`. Returns the number of spans whose boundaries fall inside
// a token (they cannot be represented and are left out).
size_t AlignGold(const std::vector<docanalysis_token>& tokens, const std::vector<GoldSpan>& spans,
                 std::vector<uint8_t>* labels);

// Byte spans of mentions.
std::vector<GoldSpan> SpansOf(const std::vector<Mention>& mentions);

// Per-type and overall counts, as conlleval computes them (exact span and type).
struct Scores {
  std::array<int64_t, kNumTypes> tp{}, fp{}, fn{};
  void Add(const std::vector<GoldSpan>& predicted, const std::vector<GoldSpan>& gold);
  double F1(int type) const;  // type -1 = micro over all types
  double Precision(int type) const;
  double Recall(int type) const;
  std::string Report() const;  // one line per type and an overall line
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_CONLL_H_
