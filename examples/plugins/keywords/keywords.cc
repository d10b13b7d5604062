// An example third-party plugin: marks every occurrence of configured keywords as a generic
// annotation and reports how many it found as a document label. It builds against plugins/sdk
// alone and is installed by copying its folder into the server's plugin folder.
//
//   request options: keywords.terms = "troops,withdrawal"  (comma-separated, case-insensitive)
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "docanalysis/plugin.h"

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string> SplitTerms(std::string_view csv) {
  std::vector<std::string> terms;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string term = Lower(csv.substr(start, comma - start));
    term.erase(0, term.find_first_not_of(' '));
    term.erase(term.find_last_not_of(' ') + 1);
    if (!term.empty()) terms.push_back(term);
    start = comma + 1;
  }
  return terms;
}

class Keywords : public docanalysis::Plugin {
 public:
  explicit Keywords(const docanalysis::PluginConfig& config) : default_terms_(config.Option("terms")) {}

  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
    std::vector<std::string> terms = SplitTerms(doc.Option("terms", default_terms_));
    if (terms.empty()) return docanalysis::Status::InvalidArgument("set the option keywords.terms, e.g. \"troops,niger\"");
    int found = 0;
    for (const docanalysis_token& t : doc.tokens()) {
      if (doc.Cancelled()) return docanalysis::Status::Cancelled();
      std::string word = Lower(doc.TokenText(t));
      if (std::find(terms.begin(), terms.end(), word) != terms.end()) {
        sink.AddAnnotation("keyword", t.begin, t.end, 1.0f, {{"term", word}});
        ++found;
      }
    }
    sink.AddLabel("keyword_count", std::to_string(found), 1.0f);
    return docanalysis::Status::Ok();
  }

 private:
  std::string default_terms_;
};

}  // namespace

DOCANALYSIS_REGISTER_PLUGIN(Keywords, "keywords", "1.0.0")
