#include "patterns.h"

#include <string>
#include <utility>
#include <vector>

#include "conll.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace docanalysis::entity {
namespace {

std::vector<std::pair<std::string, int32_t>> Find(const std::string& text) {
  Segmented seg = testing::SegmentForTest(text);
  std::vector<PatternMention> found;
  FindPatterns(ViewOf(text, seg), &found);
  std::vector<std::pair<std::string, int32_t>> out;
  for (const PatternMention& p : found) out.emplace_back(text.substr(p.begin, p.end - p.begin), p.type);
  return out;
}

bool Has(const std::vector<std::pair<std::string, int32_t>>& found, const std::string& text, int32_t type) {
  for (const auto& f : found)
    if (f.first == text && f.second == type) return true;
  return false;
}

TEST(PatternsTest, Dates) {
  auto f = Find("He arrived on 22 August 1996 and left on Monday. The deal of August 22, 1996 was signed "
                "in 1995. Report 1996-08-22 and 8/22/96.");
  EXPECT_TRUE(Has(f, "22 August 1996", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "Monday", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "August 22, 1996", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "1995", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "1996-08-22", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "8/22/96", DOCANALYSIS_ENTITY_DATE));
}

TEST(PatternsTest, MayAloneIsNotADate) {
  auto f = Find("They may go. It happened on 3 May.");
  EXPECT_FALSE(Has(f, "may", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(f, "3 May", DOCANALYSIS_ENTITY_DATE));
}

TEST(PatternsTest, MoneyAndPercent) {
  auto f = Find("Profit rose 12.5% to $ 5 million, or 40 cents a share, and 3 percent on 1,100 dollars.");
  EXPECT_TRUE(Has(f, "12.5%", DOCANALYSIS_ENTITY_PERCENT));
  EXPECT_TRUE(Has(f, "$ 5 million", DOCANALYSIS_ENTITY_MONEY));
  EXPECT_TRUE(Has(f, "40 cents", DOCANALYSIS_ENTITY_MONEY));
  EXPECT_TRUE(Has(f, "3 percent", DOCANALYSIS_ENTITY_PERCENT));
  EXPECT_TRUE(Has(f, "1,100 dollars", DOCANALYSIS_ENTITY_MONEY));
}

TEST(PatternsTest, NumbersNotClaimedByOtherPatterns) {
  auto f = Find("There were 1,100 troops and 3.5 million people.");
  EXPECT_TRUE(Has(f, "1,100", DOCANALYSIS_ENTITY_NUMBER));
  EXPECT_TRUE(Has(f, "3.5 million", DOCANALYSIS_ENTITY_NUMBER));
}

TEST(PatternsTest, EmailUrlPhone) {
  auto f = Find("Write to press@example.org or see https://example.org/news, call +1 202 555 0100 or "
                "(202) 555-0100 or 202-555-0100.");
  EXPECT_TRUE(Has(f, "press@example.org", DOCANALYSIS_ENTITY_EMAIL));
  EXPECT_TRUE(Has(f, "https://example.org/news", DOCANALYSIS_ENTITY_URL));
  EXPECT_TRUE(Has(f, "+1 202 555 0100", DOCANALYSIS_ENTITY_PHONE));
  EXPECT_TRUE(Has(f, "(202) 555-0100", DOCANALYSIS_ENTITY_PHONE));
  EXPECT_TRUE(Has(f, "202-555-0100", DOCANALYSIS_ENTITY_PHONE));
}

TEST(PatternsTest, ScoresAndRangesAreNotPhones) {
  auto f = Find("Score 1996-1997 season, won 6-3 6-4 7-5, ratio 123.456.");
  for (const auto& x : f) EXPECT_NE(x.second, DOCANALYSIS_ENTITY_PHONE) << x.first;
}

TEST(PatternsTest, NonOverlappingAndSorted) {
  std::string text = "On 22 August 1996 prices rose 5% to $ 10 , said a@b.com on 1996-08-22 .";
  Segmented seg = testing::SegmentForTest(text);
  std::vector<PatternMention> found;
  FindPatterns(ViewOf(text, seg), &found);
  ASSERT_FALSE(found.empty());
  for (size_t i = 1; i < found.size(); ++i) EXPECT_LE(found[i - 1].end, found[i].begin);
}

TEST(PatternsTest, BadInput) {
  EXPECT_TRUE(Find("").empty());
  EXPECT_TRUE(Find(std::string(10000, '9') + "x").empty());
  EXPECT_EQ(Find(std::string(10000, '7')).size(), 1u);
  Find("\xE4\xB8\xAD\xE5\x9B\xBD 2024 \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0");
}

}  // namespace
}  // namespace docanalysis::entity
