// Quality floors of the shipped syntax model on UD English-EWT test (ctest label "quality"):
// end to end from raw text through the host's segmenter and the plugin's own path, scored as the
// CoNLL 2018 shared task scores (words aligned by span, F1), and with gold words.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "service/text/segmenter.h"
#include "train.h"

namespace docanalysis::syntax {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("DOCANALYSIS_SHARED_DIR");
  return env && *env ? env : DOCANALYSIS_SHARED_DIR_DEFAULT;
}

HostSegmentation HostSegment(const std::string& text) {
  text::Segmentation s = text::Segment(text);
  return HostSegmentation{std::move(s.tokens), std::move(s.sentences)};
}

class SyntaxQualityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    model_ = new SyntaxModel;
    ASSERT_TRUE(model_->Load(DOCANALYSIS_SYNTAX_MODEL_PATH, &error)) << error;
    docs_ = new std::vector<GoldDoc>(ReadConllu(SharedDir() + "/eval/syntax/en_ewt-ud-test.conllu"));
  }
  static SyntaxModel* model_;
  static std::vector<GoldDoc>* docs_;
};
SyntaxModel* SyntaxQualityTest::model_ = nullptr;
std::vector<GoldDoc>* SyntaxQualityTest::docs_ = nullptr;

TEST_F(SyntaxQualityTest, EndToEndFromRawText) {
  Scores s = EvaluateEndToEnd(*model_, *docs_, &HostSegment, AnalyzeOptions());
  std::printf("EWT test end to end: %s\n", s.ToString().c_str());
  EXPECT_GE(s.words, 97.0);
  EXPECT_GE(s.upos, 93.0);
  EXPECT_GE(s.uas, 83.0);
  EXPECT_GE(s.las, 80.0);
}

TEST_F(SyntaxQualityTest, GoldWords) {
  Scores s = EvaluateGoldWords(*model_, *docs_);
  std::printf("EWT test gold words: %s\n", s.ToString().c_str());
  EXPECT_GE(s.upos, 94.0);
  EXPECT_GE(s.uas, 84.0);
  EXPECT_GE(s.las, 81.0);
  EXPECT_GE(s.lemma, 95.0);
}

}  // namespace
}  // namespace docanalysis::syntax
