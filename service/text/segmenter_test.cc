#include "service/text/segmenter.h"

#include <functional>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docanalysis::text {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& t : Segment(text).tokens) out.emplace_back(text.substr(t.begin, t.end - t.begin));
  return out;
}

std::vector<std::string> Sentences(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& s : Segment(text).sentences) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(Segment, EmptyAndWhitespace) {
  EXPECT_TRUE(Segment("").tokens.empty());
  EXPECT_TRUE(Segment(" \n\t ").sentences.empty());
}

TEST(Segment, WordsPunctuationAndNumbers) {
  EXPECT_THAT(Tokens("The U.S. has 1,100 forces, about 3.5% of $2.5 billion."),
              ElementsAre("The", "U.S.", "has", "1,100", "forces", ",", "about", "3.5", "%", "of", "$", "2.5",
                          "billion", "."));
  EXPECT_THAT(Tokens("follow-up talks don't stop O'Neil"),
              ElementsAre("follow-up", "talks", "don't", "stop", "O'Neil"));
  EXPECT_THAT(Tokens("Wait... what?!"), ElementsAre("Wait", "...", "what", "?!"));
}

TEST(Segment, UrlsAndEmails) {
  EXPECT_THAT(Tokens("See https://example.org/a?b=1, or mail press@example.co.uk."),
              ElementsAre("See", "https://example.org/a?b=1", ",", "or", "mail", "press@example.co.uk", "."));
  auto seg = Segment("www.example.com");
  ASSERT_EQ(seg.tokens.size(), 1u);
  EXPECT_EQ(seg.tokens[0].kind, static_cast<uint32_t>(DOCANALYSIS_TOKEN_URL));
}

TEST(Segment, AbbreviationsDoNotEndSentences) {
  EXPECT_THAT(Sentences("Maj. Gen. Ken Ekman met Dr. Smith in Jan. 2024 at the U.S. embassy. They talked."),
              ElementsAre("Maj. Gen. Ken Ekman met Dr. Smith in Jan. 2024 at the U.S. embassy.", "They talked."));
  EXPECT_THAT(Sentences("Assistant Secretary Kurt M. Campbell spoke. Then he left."),
              ElementsAre("Assistant Secretary Kurt M. Campbell spoke.", "Then he left."));
}

TEST(Segment, AbbreviationAtSentenceEnd) {
  EXPECT_THAT(Sentences("Troops will leave the U.S. The talks go on."),
              ElementsAre("Troops will leave the U.S.", "The talks go on."));
}

TEST(Segment, QuotesAndDecimals) {
  EXPECT_THAT(Sentences("It declared their presence \"illegal.\" The U.S. paid 3.5 million. Fine!"),
              ElementsAre("It declared their presence \"illegal.\"", "The U.S. paid 3.5 million.", "Fine!"));
}

TEST(Segment, LinesAndParagraphs) {
  auto seg = Segment("Headline Without Stop\n\nFirst para. Second sentence.\nNext line\ncontinues here.");
  std::vector<std::string> got;
  std::string text = "Headline Without Stop\n\nFirst para. Second sentence.\nNext line\ncontinues here.";
  for (const auto& s : seg.sentences) got.push_back(text.substr(s.begin, s.end - s.begin));
  EXPECT_THAT(got, ElementsAre("Headline Without Stop", "First para.", "Second sentence.", "Next line\ncontinues here."));
  EXPECT_EQ(seg.sentences[0].paragraph, 0u);
  EXPECT_EQ(seg.sentences[1].paragraph, 1u);
  EXPECT_EQ(seg.sentences[3].paragraph, 1u);
}

TEST(Segment, NonLatinScriptsAndEmoji) {
  EXPECT_THAT(Tokens("東京へ行く。Привет, мир! \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD ok"),
              ElementsAre("東", "京", "へ", "行", "く", "。", "Привет", ",", "мир", "!", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "ok"));
  auto seg = Segment("I love it :) so much");
  EXPECT_EQ(seg.tokens[3].kind, static_cast<uint32_t>(DOCANALYSIS_TOKEN_SYMBOL));
}

TEST(Segment, TokenIndicesCoverSentences) {
  std::string text = "One. Two two. Three three three.";
  auto seg = Segment(text);
  ASSERT_EQ(seg.sentences.size(), 3u);
  uint32_t next = 0;
  for (const auto& s : seg.sentences) {
    EXPECT_EQ(s.token_begin, next);
    EXPECT_GT(s.token_end, s.token_begin);
    EXPECT_EQ(seg.tokens[s.token_begin].begin, s.begin);
    EXPECT_EQ(seg.tokens[s.token_end - 1].end, s.end);
    next = s.token_end;
  }
  EXPECT_EQ(next, seg.tokens.size());
}

TEST(Segment, HugeTokensAndRunOnText) {
  std::string huge(10000, 'a');
  auto seg = Segment(huge + " b");
  ASSERT_EQ(seg.tokens.size(), 2u);
  EXPECT_EQ(seg.tokens[0].end, 10000u);
  std::string runon;
  for (int i = 0; i < 5000; ++i) runon += "word ";
  auto s2 = Segment(runon);
  EXPECT_EQ(s2.tokens.size(), 5000u);
  EXPECT_EQ(s2.sentences.size(), 5u);  // capped at 1000 tokens per sentence
}

}  // namespace
// Shapes that used to rescan from each position (quadratic): they must segment, and correctly.
TEST(Segment, UrlFollowedByManyClosingParens) {
  std::string text = "see http://a.b/x_(y) " + std::string(100000, ')');
  Segmentation s = Segment(text);
  ASSERT_FALSE(s.tokens.empty());
  EXPECT_EQ(text.substr(s.tokens[1].begin, s.tokens[1].end - s.tokens[1].begin), "http://a.b/x_(y)");
  EXPECT_EQ(s.tokens.size(), 2u + 100000u);
}

TEST(Segment, UrlKeepsItsOwnClosingBracketOnly) {
  std::string text = "(see http://en.wikipedia.org/wiki/Niger_(river))";
  Segmentation s = Segment(text);
  bool found = false;
  for (const auto& t : s.tokens)
    found |= text.substr(t.begin, t.end - t.begin) == "http://en.wikipedia.org/wiki/Niger_(river)";
  EXPECT_TRUE(found);
}

TEST(Segment, LongRunsOfEmailLocalCharacters) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "a_";
  text += " x@example.com";
  Segmentation s = Segment(text);
  ASSERT_GE(s.tokens.size(), 2u);
  const auto& last = s.tokens.back();
  EXPECT_EQ(text.substr(last.begin, last.end - last.begin), "x@example.com");
  EXPECT_EQ(last.kind, static_cast<uint32_t>(DOCANALYSIS_TOKEN_EMAIL));
}

TEST(Segment, EmailAfterAFailedLocalRun) {
  Segmentation s = Segment("a.b_c d.e@example.org");
  ASSERT_EQ(s.tokens.size(), 4u);  // a.b, _, c and the address
  EXPECT_EQ(s.tokens.back().kind, static_cast<uint32_t>(DOCANALYSIS_TOKEN_EMAIL));
}

TEST(Segment, CancelledSegmentationStops) {
  std::string text(1 << 20, 'a');
  for (size_t i = 1; i < text.size(); i += 2) text[i] = ' ';
  int polls = 0;
  std::function<bool()> cancelled = [&polls] { return ++polls > 1; };
  CancelCheck check(&cancelled);
  Segmentation out;
  EXPECT_FALSE(Segment(text, &check, &out));
  EXPECT_TRUE(out.tokens.empty());
}

}  // namespace docanalysis::text
