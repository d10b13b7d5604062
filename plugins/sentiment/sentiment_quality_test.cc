// Quality floors of the sentiment analyzer on VADER's human-rated sets (read at run time from
// DOCANALYSIS_SHARED_DIR/eval/sentiment/vader_groundtruth.json), through the host's segmenter
// exactly as the server runs it. Floors: the Python reference (vaderSentiment 3.3.2) measured on
// this data, per set, and the overall figures.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eval/vader_eval.h"
#include "vader.h"
#include "vader_lexicon.h"

namespace docanalysis::sentiment {
namespace {

TEST(SentimentQuality, MeetsFloorsOnVaderGroundTruth) {
  std::string error;
  auto lexicon = VaderLexicon::Load(SENTIMENT_LEXICON_DIR, &error);
  ASSERT_NE(lexicon, nullptr) << error;
  std::vector<eval::Item> items;
  const char* env = std::getenv("DOCANALYSIS_SHARED_DIR");  // overrides the configured folder
  const std::string shared = (env != nullptr && *env != '\0') ? env : DOCANALYSIS_SHARED_DIR;
  const std::string path = shared + "/eval/sentiment/vader_groundtruth.json";
  ASSERT_TRUE(eval::LoadGroundTruth(path, &items, &error)) << error;
  ASSERT_GT(items.size(), 20000u);

  VaderAnalyzer analyzer(lexicon.get());
  eval::Figures f = eval::Evaluate(analyzer, DocumentOptions{}, items);
  for (const auto& s : f.sets)
    std::printf("sentiment quality: %-7s n=%5zu r=%.4f acc=%.4f\n", s.set.c_str(), s.count, s.pearson, s.accuracy);

  struct Floor {
    const char* set;
    double r;
  };
  for (const Floor& floor : {Floor{"all", 0.54}, Floor{"tweets", 0.872}, Floor{"movie", 0.428},
                             Floor{"amazon", 0.590}, Floor{"nyt", 0.503}}) {
    const eval::SetFigures* s = f.Find(floor.set);
    ASSERT_NE(s, nullptr) << floor.set;
    EXPECT_GE(s->pearson, floor.r) << "Pearson r on " << floor.set;
  }
  EXPECT_GE(f.Find("all")->accuracy, 0.615) << "3-class accuracy";
}

}  // namespace
}  // namespace docanalysis::sentiment
