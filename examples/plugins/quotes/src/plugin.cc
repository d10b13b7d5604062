// The quotes example plugin: direct quotations in news text, each attributed to its speaker with
// the entity plugin's results (ABI 1.1 upstream view; plugin.json "needs": ["entities"]).
//
// Each quotation is an Annotation labelled "quote" over the quoted words, with attributes
// "speaker" (canonical name, or the description as written), "speaker_text", "speaker_type"
// (person, organization, description, pronoun, name) and "verb"; unattributed quotations carry no
// speaker. Options: "min_words" (an unattributed quotation needs at least this many words; 3).
#include <string>

#include "docanalysis/plugin.h"
#include "quotes.h"

class QuotesPlugin : public docanalysis::Plugin {
 public:
  explicit QuotesPlugin(const docanalysis::PluginConfig& config) {
    options_.min_words = std::stoi(config.Option("min_words", "3"));
    if (options_.min_words < 1) throw docanalysis::PluginError(DOCANALYSIS_INVALID_ARGUMENT, "min_words must be >= 1");
  }

  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
    quotes::Options o = options_;
    o.min_words = static_cast<int>(doc.OptionInt("min_words", o.min_words));
    std::vector<quotes::Quote> found = quotes::FindQuotes(doc, o);
    if (doc.Cancelled()) return docanalysis::Status::Cancelled();
    for (const auto& q : found) {
      std::vector<std::pair<std::string, std::string>> attrs;
      if (!q.speaker.empty()) {
        attrs = {{"speaker", q.speaker}, {"speaker_text", q.speaker_text}, {"speaker_type", q.speaker_type}, {"verb", q.verb}};
      }
      sink.AddAnnotation("quote", q.begin, q.end, q.speaker.empty() ? 0.3f : q.score, attrs);
    }
    return docanalysis::Status::Ok();
  }

 private:
  quotes::Options options_;
};

DOCANALYSIS_REGISTER_PLUGIN(QuotesPlugin, "quotes", "1.0.0")
