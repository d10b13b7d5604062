// Reading Universal Dependencies CoNLL-U files (plain or gzip) into documents whose text is rebuilt
// the way a caller would send it: the sentences of a document (`# newdoc`) joined by "\n", each
// word located in that text by its form (the parts of a multiword token get spans only when they
// spell the token exactly, as "do" + "n't" spell "don't").
//
// Used by the trainer and the tests only; the plugin never reads CoNLL-U.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_CONLLU_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_CONLLU_H_

#include <cstdint>
#include <string>
#include <vector>

namespace docanalysis::syntax {

struct GoldWord {
  std::string form, lemma, upos, xpos, feats, deprel;
  int head = 0;      // 0 = root, else 1-based word index in the sentence
  int64_t begin = -1;  // byte span in GoldDoc::text, or -1 when the word has none
  int64_t end = -1;
};

struct GoldSentence {
  std::vector<GoldWord> words;
};

struct GoldDoc {
  std::string text;
  std::vector<GoldSentence> sentences;
};

// Reads `path` (".gz" or plain). Throws std::runtime_error when it cannot be read.
std::vector<GoldDoc> ReadConllu(const std::string& path);

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_CONLLU_H_
