// Tests the built plugin through its C ABI, as the host runs it: the real libsentiment.so from the
// staging folder, its staged lexicon, documents segmented by the host's segmenter, and a sink that
// records what the plugin writes.
#include <dlfcn.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "docanalysis/plugin_abi.h"
#include "service/text/segmenter.h"

namespace {

struct Recorded {
  std::vector<std::pair<uint32_t, std::pair<float, float>>> sentences;
  bool has_document = false;
  float score = 0, magnitude = 0;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string error;
};

void SetSentence(void* ctx, uint32_t i, float score, float magnitude) {
  static_cast<Recorded*>(ctx)->sentences.push_back({i, {score, magnitude}});
}
void SetDocument(void* ctx, float score, float magnitude) {
  auto* r = static_cast<Recorded*>(ctx);
  r->has_document = true;
  r->score = score;
  r->magnitude = magnitude;
}
void AddLabel(void* ctx, docanalysis_str name, docanalysis_str value, float) {
  static_cast<Recorded*>(ctx)->labels.push_back({std::string(name.data, name.size), std::string(value.data, value.size)});
}
void SetError(void* ctx, docanalysis_str m) { static_cast<Recorded*>(ctx)->error.assign(m.data, m.size); }
void AddMention(void*, uint32_t, uint32_t, int32_t, float, docanalysis_str) {}
void AddSummary(void*, uint32_t, float) {}
void AddAnnotation(void*, docanalysis_str, uint32_t, uint32_t, float, const docanalysis_option*, size_t) {}
int NeverCancelled(void*) { return 0; }
int AlwaysCancelled(void*) { return 1; }

class SentimentPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir = SENTIMENT_PLUGIN_DIR;
    handle_ = dlopen((dir + "/libsentiment.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
    auto get = reinterpret_cast<docanalysis_plugin_get_api_fn>(dlsym(handle_, DOCANALYSIS_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(get, nullptr);
    api_ = get();
    ASSERT_EQ(api_->abi_major, DOCANALYSIS_ABI_MAJOR);
    docanalysis_create_args args{};
    args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
    args.host_abi_minor = DOCANALYSIS_ABI_MINOR;
    args.plugin_dir = {dir.data(), dir.size()};
    args.set_error = &SetError;
    Recorded err;
    args.error_ctx = &err;
    ASSERT_EQ(api_->create(&args, &instance_), DOCANALYSIS_OK) << err.error;
  }
  static void TearDownTestSuite() {
    if (api_ && instance_) api_->destroy(instance_);
    // The library stays loaded: thread-local scratch of this thread is released at exit.
  }

  // Runs the plugin on `text` with `options` (key, value pairs); returns its status code.
  int32_t Run(const std::string& text, const std::vector<std::pair<std::string, std::string>>& options,
              Recorded* out, int (*cancelled)(void*) = &NeverCancelled) {
    docanalysis::text::Segmentation seg = docanalysis::text::Segment(text);
    std::vector<docanalysis_option> opts;
    for (const auto& kv : options)
      opts.push_back({{kv.first.data(), kv.first.size()}, {kv.second.data(), kv.second.size()}});
    docanalysis_document doc{};
    doc.text = {text.data(), text.size()};
    doc.tokens = seg.tokens.data();
    doc.token_count = seg.tokens.size();
    doc.sentences = seg.sentences.data();
    doc.sentence_count = seg.sentences.size();
    doc.options = opts.data();
    doc.option_count = opts.size();
    doc.is_cancelled = cancelled;
    docanalysis_sink sink{out, &AddMention, &SetSentence, &SetDocument, &AddSummary, &AddAnnotation, &AddLabel, &SetError};
    sentence_count_ = seg.sentences.size();
    return api_->analyze(instance_, &doc, &sink);
  }

  static void* handle_;
  static const docanalysis_plugin_api* api_;
  static void* instance_;
  size_t sentence_count_ = 0;
};
void* SentimentPluginTest::handle_ = nullptr;
const docanalysis_plugin_api* SentimentPluginTest::api_ = nullptr;
void* SentimentPluginTest::instance_ = nullptr;

TEST_F(SentimentPluginTest, ScoresEverySentenceAndTheDocument) {
  Recorded r;
  ASSERT_EQ(Run("The food was awful. The staff were lovely and helpful! We will come back.", {}, &r), DOCANALYSIS_OK)
      << r.error;
  ASSERT_EQ(r.sentences.size(), 3u);
  EXPECT_LT(r.sentences[0].second.first, 0.0f);
  EXPECT_GT(r.sentences[1].second.first, 0.0f);
  EXPECT_EQ(r.sentences[2].second.first, 0.0f);
  EXPECT_GT(r.sentences[0].second.second, 0.0f);
  EXPECT_TRUE(r.has_document);
  EXPECT_GT(r.magnitude, 0.0f);
  ASSERT_EQ(r.labels.size(), 1u);
  EXPECT_EQ(r.labels[0].first, "sentiment");
}

TEST_F(SentimentPluginTest, SentencesOptionTurnsOffPerSentenceResults) {
  Recorded r;
  ASSERT_EQ(Run("Great. Terrible.", {{"sentences", "false"}}, &r), DOCANALYSIS_OK);
  EXPECT_TRUE(r.sentences.empty());
  EXPECT_TRUE(r.has_document);
}

TEST_F(SentimentPluginTest, NeutralThresholdDecidesTheLabel) {
  Recorded low, high;
  const std::string text = "The meeting is on Tuesday and the agenda looks okay, I suppose, as far as these things go.";
  ASSERT_EQ(Run(text, {{"neutral_threshold", "0.05"}}, &low), DOCANALYSIS_OK);
  ASSERT_EQ(Run(text, {{"neutral_threshold", "0.9"}}, &high), DOCANALYSIS_OK);
  ASSERT_GT(std::fabs(low.score), 0.05f);
  EXPECT_EQ(low.labels.at(0).second, low.score > 0 ? "positive" : "negative");
  EXPECT_EQ(high.labels.at(0).second, "neutral");
  EXPECT_EQ(low.score, high.score);  // the threshold labels; it does not change the score
}

TEST_F(SentimentPluginTest, BadOptionIsInvalidArgument) {
  Recorded r;
  EXPECT_EQ(Run("Good.", {{"neutral_threshold", "2"}}, &r), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_NE(r.error.find("neutral_threshold"), std::string::npos) << r.error;
}

TEST_F(SentimentPluginTest, CancelledRequestStops) {
  Recorded r;
  EXPECT_EQ(Run("Good. Bad.", {}, &r, &AlwaysCancelled), DOCANALYSIS_CANCELLED);
  EXPECT_FALSE(r.has_document);
}

TEST_F(SentimentPluginTest, BadInputGivesNeutralOutput) {
  std::string big;
  while (big.size() < (1u << 20)) big += "lorem ";
  const std::vector<std::string> inputs = {
      "",
      "?!... ;;; --- !!!",
      "\xF0\x9F\x9A\x97 \xF0\x9F\x9A\x95 \xF0\x9F\x8F\xA0",  // car, taxi, house
      big,
      "\xE8\xBF\x99\xE6\x98\xAF\xE4\xB8\x80\xE4\xB8\xAA \xD1\x82\xD0\xB5\xD1\x81\xD1\x82 "
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87",
  };
  for (const std::string& text : inputs) {
    Recorded r;
    ASSERT_EQ(Run(text, {}, &r), DOCANALYSIS_OK) << r.error;
    EXPECT_TRUE(r.has_document);
    EXPECT_EQ(r.score, 0.0f) << text.substr(0, 40);
    EXPECT_EQ(r.labels.at(0).second, "neutral");
    EXPECT_EQ(r.sentences.size(), sentence_count_);
    for (const auto& s : r.sentences) EXPECT_EQ(s.second.first, 0.0f);
  }
}

}  // namespace
