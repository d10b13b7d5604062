// A template plugin: marks every occurrence of one word (option "word") and labels the document
// with their count. Rename it, change plugin.json, and write your analysis in Analyze().
#include <string>

#include "docanalysis/plugin.h"

class MyPlugin : public docanalysis::Plugin {
 public:
  // Runs once per load: read models and data files here (config.Path("file")); throw to fail the load.
  explicit MyPlugin(const docanalysis::PluginConfig& config) : default_word_(config.Option("word", "docanalysis")) {}

  // Runs concurrently on one instance: keep per-call state on the stack.
  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
    std::string word(doc.Option("word", default_word_));
    int count = 0;
    for (const docanalysis_token& t : doc.tokens()) {
      if (doc.Cancelled()) return docanalysis::Status::Cancelled();
      if (doc.TokenText(t) == word) {
        sink.AddAnnotation("my_word", t.begin, t.end, 1.0f);
        ++count;
      }
    }
    sink.AddLabel("my_word_count", std::to_string(count), static_cast<float>(count));
    return docanalysis::Status::Ok();
  }

 private:
  std::string default_word_;
};

DOCANALYSIS_REGISTER_PLUGIN(MyPlugin, "my_plugin", "0.1.0")
