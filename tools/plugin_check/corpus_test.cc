#include "tools/plugin_check/corpus.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/utf8.h"

namespace docanalysis::check {
namespace {

TEST(BuiltinCorpus, EveryTextIsWhatTheServerAccepts) {
  std::vector<CorpusText> corpus = BuiltinCorpus();
  EXPECT_GE(corpus.size(), 20u);
  bool large = false;
  for (const auto& c : corpus) {
    EXPECT_TRUE(text::ValidateUtf8(c.text, c.name).ok()) << c.name;
    EXPECT_LE(c.text.size(), 1u << 20) << c.name;
    large |= c.large;
  }
  EXPECT_TRUE(large);
}

TEST(LargeDocument, IsOneMiBOnABoundaryAndDeterministic) {
  std::string a = LargeDocument(1u << 20), b = LargeDocument(1u << 20);
  EXPECT_EQ(a, b);
  EXPECT_LE(a.size(), 1u << 20);
  EXPECT_GE(a.size(), (1u << 20) - 3);
  EXPECT_TRUE(text::ValidateUtf8(a, "large").ok());
}

}  // namespace
}  // namespace docanalysis::check
