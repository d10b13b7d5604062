// The sentiment plugin: VADER (Hutto & Gilbert 2014) per sentence, aggregated per document.
//
// Data (in the plugin folder, staged by the build from the pinned vaderSentiment package):
// vader_lexicon.txt, emoji_utf8_lexicon.txt, vader_rules.tsv.
//
// Request options (manifest defaults in plugin.json):
//   neutral_threshold  (0.05)  |document score| below it is labelled "neutral"; in [0, 1].
//   sentences          (true)  whether to return per-sentence sentiment.
// Output: Sentence.sentiment for every sentence (unless sentences=false), document_sentiment, and a
// document label "sentiment" = positive | negative | neutral with the document score.
//
// THREADING: Analyze is const in spirit: the lexicon is read-only, per-call state is on the stack
// or thread-local inside VaderAnalyzer.
#include <memory>
#include <string>
#include <vector>

#include "docanalysis/plugin.h"
#include "vader.h"
#include "vader_lexicon.h"

namespace docanalysis::sentiment {
namespace {

bool DocumentCancelled(void* ctx) { return static_cast<const Document*>(ctx)->Cancelled(); }

class SentimentPlugin : public Plugin {
 public:
  explicit SentimentPlugin(const PluginConfig& config) {
    std::string error;
    lexicon_ = VaderLexicon::Load(config.dir(), &error);
    if (lexicon_ == nullptr) throw PluginError(DOCANALYSIS_FAILED_PRECONDITION, "sentiment: " + error);
    analyzer_ = std::make_unique<VaderAnalyzer>(lexicon_.get());
  }

  Status Analyze(const Document& doc, Sink& sink) override {
    DocumentOptions options;
    options.neutral_threshold = doc.OptionDouble("neutral_threshold", options.neutral_threshold);
    if (!(options.neutral_threshold >= 0.0 && options.neutral_threshold <= 1.0)) {
      return Status::InvalidArgument("sentiment.neutral_threshold must be a number in [0, 1], got \"" +
                                     std::string(doc.Option("neutral_threshold")) + "\"");
    }
    const bool per_sentence = doc.OptionBool("sentences", true);

    const auto tokens = doc.tokens();
    const auto sentences = doc.sentences();
    thread_local DocumentScore result;  // reused across calls on this thread
    analyzer_->ScoreDocument(doc.text(), tokens.begin(), tokens.size(), sentences.begin(), sentences.size(), options,
                             &result, &DocumentCancelled, const_cast<Document*>(&doc));
    if (doc.Cancelled()) return Status::Cancelled("sentiment: cancelled");

    if (per_sentence) {
      for (size_t k = 0; k < result.sentences.size(); ++k)
        sink.SetSentenceSentiment(static_cast<uint32_t>(k), result.sentences[k].score, result.sentences[k].magnitude);
    }
    const SentimentScore d = result.document;
    if (result.sentences.capacity() > (1u << 14)) std::vector<SentimentScore>().swap(result.sentences);
    sink.SetDocumentSentiment(d.score, d.magnitude);
    const char* label = d.score >= options.neutral_threshold    ? "positive"
                        : d.score <= -options.neutral_threshold ? "negative"
                                                                : "neutral";
    sink.AddLabel("sentiment", label, d.score);
    return Status::Ok();
  }

 private:
  std::unique_ptr<VaderLexicon> lexicon_;
  std::unique_ptr<VaderAnalyzer> analyzer_;
};

}  // namespace
}  // namespace docanalysis::sentiment

DOCANALYSIS_REGISTER_PLUGIN(docanalysis::sentiment::SentimentPlugin, "sentiment", "1.0.0")
