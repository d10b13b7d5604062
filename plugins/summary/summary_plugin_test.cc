// Drives the plugin through its C ABI table, as the host does.
#include <string>
#include <vector>

#include "docanalysis/plugin.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/segmenter.h"

extern "C" const docanalysis_plugin_api* docanalysis_plugin_get_api(void);

namespace docanalysis::summary {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

struct Recorder {
  std::vector<std::pair<uint32_t, float>> summary;
  std::string error;
};

docanalysis_sink MakeSink(Recorder* r) {
  docanalysis_sink sink{};
  sink.ctx = r;
  sink.add_entity_mention = [](void*, uint32_t, uint32_t, int32_t, float, docanalysis_str) {};
  sink.set_sentence_sentiment = [](void*, uint32_t, float, float) {};
  sink.set_document_sentiment = [](void*, float, float) {};
  sink.add_summary_sentence = [](void* ctx, uint32_t i, float score) {
    static_cast<Recorder*>(ctx)->summary.emplace_back(i, score);
  };
  sink.add_annotation = [](void*, docanalysis_str, uint32_t, uint32_t, float, const docanalysis_option*, size_t) {};
  sink.add_label = [](void*, docanalysis_str, docanalysis_str, float) {};
  sink.set_error = [](void* ctx, docanalysis_str m) { static_cast<Recorder*>(ctx)->error.assign(m.data, m.size); };
  return sink;
}

class Instance {
 public:
  explicit Instance(std::vector<std::pair<std::string, std::string>> options = {{"max_sentences", "3"}})
      : api_(docanalysis_plugin_get_api()), options_(std::move(options)) {
    std::vector<docanalysis_option> opts;
    for (const auto& [k, v] : options_) opts.push_back({ToStr(k), ToStr(v)});
    docanalysis_create_args args{};
    args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
    args.host_abi_minor = DOCANALYSIS_ABI_MINOR;
    args.plugin_dir = ToStr(".");
    args.options = opts.data();
    args.option_count = opts.size();
    args.set_error = [](void* ctx, docanalysis_str m) { static_cast<std::string*>(ctx)->assign(m.data, m.size); };
    args.error_ctx = &create_error_;
    create_code_ = api_->create(&args, &instance_);
  }
  ~Instance() {
    if (create_code_ == DOCANALYSIS_OK) api_->destroy(instance_);
  }

  int32_t create_code() const { return create_code_; }
  const std::string& create_error() const { return create_error_; }

  int32_t Analyze(const std::string& text, const std::vector<std::pair<std::string, std::string>>& options,
                  Recorder* out) {
    text::Segmentation seg = text::Segment(text);
    std::vector<docanalysis_option> opts;
    for (const auto& [k, v] : options) opts.push_back({ToStr(k), ToStr(v)});
    docanalysis_document doc{};
    doc.text = ToStr(text);
    doc.tokens = seg.tokens.data();
    doc.token_count = seg.tokens.size();
    doc.sentences = seg.sentences.data();
    doc.sentence_count = seg.sentences.size();
    doc.options = opts.data();
    doc.option_count = opts.size();
    docanalysis_sink sink = MakeSink(out);
    return api_->analyze(instance_, &doc, &sink);
  }

 private:
  const docanalysis_plugin_api* api_;
  std::vector<std::pair<std::string, std::string>> options_;
  void* instance_ = nullptr;
  int32_t create_code_ = -1;
  std::string create_error_;
};

constexpr char kNews[] =
    "The city council approved a plan on Tuesday to build three new bridges across the river. "
    "The bridges will connect the northern districts with the old town and the main railway station. "
    "Construction is expected to start next spring and to last about four years in total. "
    "The council estimates the cost at 120 million euros, shared with the regional government. "
    "Opponents of the plan say the money should go to schools and hospitals instead.";

TEST(SummaryPluginTest, ExportsItsName) {
  const docanalysis_plugin_api* api = docanalysis_plugin_get_api();
  EXPECT_STREQ(api->name, "summary");
  EXPECT_EQ(api->abi_major, static_cast<uint32_t>(DOCANALYSIS_ABI_MAJOR));
}

TEST(SummaryPluginTest, AddsSummarySentences) {
  Instance plugin;
  ASSERT_EQ(plugin.create_code(), DOCANALYSIS_OK) << plugin.create_error();
  Recorder r;
  ASSERT_EQ(plugin.Analyze(kNews, {{"max_sentences", "2"}}, &r), DOCANALYSIS_OK) << r.error;
  ASSERT_THAT(r.summary, SizeIs(2));
  EXPECT_EQ(r.summary[0].first, 0u);
}

TEST(SummaryPluginTest, RequestOptionsOverrideDefaults) {
  Instance plugin(std::vector<std::pair<std::string, std::string>>{{"max_sentences", "1"}});
  ASSERT_EQ(plugin.create_code(), DOCANALYSIS_OK);
  Recorder one, three;
  ASSERT_EQ(plugin.Analyze(kNews, {}, &one), DOCANALYSIS_OK);
  EXPECT_THAT(one.summary, SizeIs(1));
  ASSERT_EQ(plugin.Analyze(kNews, {{"max_sentences", "3"}, {"target_words", "0"}}, &three), DOCANALYSIS_OK);
  EXPECT_THAT(three.summary, SizeIs(3));
}

TEST(SummaryPluginTest, BadOptionValueIsInvalidArgument) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze(kNews, {{"max_sentences", "lots"}}, &r), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_THAT(r.error, HasSubstr("max_sentences"));
  EXPECT_THAT(r.summary, SizeIs(0));
}

TEST(SummaryPluginTest, UnknownOptionsAreIgnored) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze(kNews, {{"colour", "blue"}}, &r), DOCANALYSIS_OK);
  EXPECT_THAT(r.summary, SizeIs(3));
}

TEST(SummaryPluginTest, BadCreateOptionFailsTheLoad) {
  Instance plugin(std::vector<std::pair<std::string, std::string>>{{"ratio", "half"}});
  EXPECT_EQ(plugin.create_code(), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_THAT(plugin.create_error(), HasSubstr("ratio"));
}

TEST(SummaryPluginTest, EmptyDocumentIsOk) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze("", {}, &r), DOCANALYSIS_OK);
  EXPECT_THAT(r.summary, SizeIs(0));
}

TEST(SummaryPluginTest, OneSentence) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze("Just one line", {}, &r), DOCANALYSIS_OK);
  ASSERT_THAT(r.summary, SizeIs(1));
  EXPECT_EQ(r.summary[0].first, 0u);
}

}  // namespace
}  // namespace docanalysis::summary
