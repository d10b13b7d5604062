// Tests the built plugin as the host runs it: the staged plugin folder (libsentiment.so, its
// lexicon, plugin.json) loaded by the host's loader, documents segmented by the host's segmenter,
// and results recorded by the host's result collector (service/testing/plugin_runner.h).
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "docanalysis/plugin_abi.h"
#include "service/testing/plugin_runner.h"

namespace {

struct Recorded {
  std::vector<std::pair<uint32_t, std::pair<float, float>>> sentences;
  bool has_document = false;
  float score = 0, magnitude = 0;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string error;
};

int NeverCancelled(void*) { return 0; }
int AlwaysCancelled(void*) { return 1; }

class SentimentPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto runner = docanalysis::testing::PluginRunner::Load(SENTIMENT_PLUGIN_DIR);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner).release();
  }
  static void TearDownTestSuite() {
    delete runner_;
    runner_ = nullptr;
  }

  // Runs the plugin on `text` with `options` (key, value pairs); returns its status code.
  int32_t Run(const std::string& text, const std::vector<std::pair<std::string, std::string>>& options,
              Recorded* out, int (*cancelled)(void*) = &NeverCancelled) {
    docanalysis::testing::PluginRun run = runner_->Run(text, options, [cancelled] { return cancelled(nullptr) != 0; });
    for (const auto& [i, s] : run.results->sentence_sentiments) out->sentences.push_back({i, {s.score(), s.magnitude()}});
    if (run.results->document_sentiment) {
      out->has_document = true;
      out->score = run.results->document_sentiment->score();
      out->magnitude = run.results->document_sentiment->magnitude();
    }
    for (const auto& l : run.results->labels) out->labels.push_back({l.name, l.value});
    out->error = run.results->error;
    EXPECT_EQ(run.results->rejected, 0u) << "the host dropped results with invalid indices";
    sentence_count_ = run.segmentation.sentences.size();
    return static_cast<int32_t>(run.status.code());
  }

  static docanalysis::testing::PluginRunner* runner_;
  size_t sentence_count_ = 0;
};
docanalysis::testing::PluginRunner* SentimentPluginTest::runner_ = nullptr;

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
