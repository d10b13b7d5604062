// The built-in corpus of docanalysis-plugin-check: texts that trip plugins up. Every text is valid
// UTF-8 (the server rejects anything else before a plugin sees it) and at most 1 MiB, the server's
// default document limit.
//
// THREADING: BuiltinCorpus() builds a fresh vector; the texts are deterministic.
#ifndef DOCANALYSIS_TOOLS_PLUGIN_CHECK_CORPUS_H_
#define DOCANALYSIS_TOOLS_PLUGIN_CHECK_CORPUS_H_

#include <string>
#include <vector>

namespace docanalysis::check {

struct CorpusText {
  std::string name;
  std::string text;
  bool large = false;  // skipped by the many-threads and load/unload stages
};

std::vector<CorpusText> BuiltinCorpus();

// A deterministic document of exactly `bytes` bytes (or just under, at a UTF-8 boundary) of news-like
// sentences with quotations, names, numbers and some non-ASCII words.
std::string LargeDocument(size_t bytes);

}  // namespace docanalysis::check

#endif  // DOCANALYSIS_TOOLS_PLUGIN_CHECK_CORPUS_H_
