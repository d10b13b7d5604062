// The "summary" plugin: extractive summaries through the host's sentences (see summarizer.h).
//
// Options (request "summary.<key>", or create-time defaults from the manifest/operator): every key
// that SetOption() knows, e.g. max_sentences, ratio, min_sentence_words, max_sentence_words,
// target_words, position_prior, position_weight. A malformed value fails the call with
// INVALID_ARGUMENT; unknown keys are ignored.
//
// THREADING: Analyze() is const in spirit: the Summarizer is immutable, per-call state lives on the
// stack, so concurrent calls on one instance are safe.
#include <functional>
#include <map>
#include <string>

#include "docanalysis/plugin.h"
#include "summarizer.h"

namespace docanalysis::summary {
namespace {

class SummaryPlugin : public docanalysis::Plugin {
 public:
  explicit SummaryPlugin(const docanalysis::PluginConfig& config) {
    for (const auto& [key, value] : config.options()) {
      if (!IsKnown(key)) continue;
      if (!SetOption(key, value, &defaults_))
        throw docanalysis::PluginError(DOCANALYSIS_INVALID_ARGUMENT,
                                       "summary: bad value '" + value + "' for option '" + key + "'");
      default_text_.emplace(key, value);
    }
  }

  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
    Options options = defaults_;
    const docanalysis_document& raw = doc.raw();
    for (size_t i = 0; i < raw.option_count; ++i) {
      std::string_view key = docanalysis::ToView(raw.options[i].key);
      std::string_view value = docanalysis::ToView(raw.options[i].value);
      // The host passes every option each call, most of them the create-time values already in
      // defaults_: only the ones a request changed are parsed again.
      if (auto it = default_text_.find(key); it != default_text_.end() && it->second == value) continue;
      if (!IsKnown(std::string(key))) continue;
      if (!SetOption(key, value, &options))
        return docanalysis::Status::InvalidArgument("summary: bad value '" + std::string(value) + "' for option '" +
                                                    std::string(key) + "'");
    }
    std::vector<Pick> picks = summarizer_.Summarize(doc.text(), raw.tokens, raw.token_count, raw.sentences,
                                                    raw.sentence_count, options, [&doc] { return doc.Cancelled(); });
    if (doc.Cancelled()) return docanalysis::Status::Cancelled("summary: cancelled");
    for (const Pick& p : picks) sink.AddSummarySentence(p.sentence, p.score);
    return docanalysis::Status::Ok();
  }

 private:
  static bool IsKnown(const std::string& key) {
    Options probe;
    return SetOption(key, "1", &probe);
  }

  Summarizer summarizer_;
  Options defaults_;
  std::map<std::string, std::string, std::less<>> default_text_;  // the create-time options defaults_ holds
};

}  // namespace
}  // namespace docanalysis::summary

DOCANALYSIS_REGISTER_PLUGIN(docanalysis::summary::SummaryPlugin, "summary", "1.0.0")
