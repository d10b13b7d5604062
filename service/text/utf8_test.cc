#include "service/text/utf8.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docanalysis::text {
namespace {

using ::testing::HasSubstr;

TEST(FirstInvalidUtf8, AcceptsWellFormedText) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("plain ASCII text that is longer than eight bytes"), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"), std::string_view::npos);
}

TEST(FirstInvalidUtf8, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("good text \xFF\xFE then"), 10u);
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("ab\xED\xA0\x80"), 2u);    // surrogate U+D800
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("abc\xE4\xB8"), 3u);       // truncated at the end
  EXPECT_EQ(FirstInvalidUtf8("12345678\x80"), 8u);      // stray continuation after the fast path
}

TEST(FirstInvalidUtf8, TwoByteRunsTakeTheWordPathAndStillRejectOverlongs) {
  std::string hebrew;
  for (int i = 0; i < 40; ++i) hebrew += "\xD7\xA9\xD7\x9C";
  EXPECT_EQ(FirstInvalidUtf8(hebrew), std::string_view::npos);
  std::string overlong = hebrew.substr(0, 16) + "\xC1\xBF" + hebrew.substr(0, 16);  // C1: an overlong lead
  EXPECT_EQ(FirstInvalidUtf8(overlong), 16u);
  std::string broken = hebrew.substr(0, 16) + "\xD7\xD7" + hebrew.substr(0, 16);  // a lead where a continuation goes
  EXPECT_EQ(FirstInvalidUtf8(broken), 16u);
}

// A byte-at-a-time reference for the conversions, on random mixes of 1- to 4-byte code points.
TEST(OffsetConverter, MatchesACodePointByCodePointCountAtEveryBoundary) {
  const char* pieces[] = {"a", " ", "\xC3\xA9", "\xD7\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80"};
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::string text;
    std::vector<size_t> boundaries = {0};
    std::vector<int64_t> utf16 = {0}, points = {0};
    int len = std::uniform_int_distribution<int>(0, 300)(rng);
    for (int i = 0; i < len; ++i) {
      std::string piece = pieces[std::uniform_int_distribution<int>(0, 5)(rng)];
      text += piece;
      boundaries.push_back(text.size());
      utf16.push_back(utf16.back() + (piece.size() == 4 ? 2 : 1));
      points.push_back(points.back() + 1);
    }
    OffsetConverter u(text, OffsetUnit::kUtf16CodeUnits), c(text, OffsetUnit::kCodePoints);
    for (size_t k = 0; k < boundaries.size(); ++k) {
      ASSERT_EQ(u.Convert(boundaries[k]), utf16[k]) << "round " << round << " boundary " << k;
      ASSERT_EQ(c.Convert(boundaries[k]), points[k]) << "round " << round << " boundary " << k;
    }
  }
}

TEST(ValidateUtf8, NamesOffsetAndByte) {
  absl::Status s = ValidateUtf8("good text \xFF", "document.raw_content");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("byte offset 10"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("0xFF"));
  EXPECT_TRUE(ValidateUtf8("fine", "x").ok());
}

TEST(OffsetConverter, ConvertsToEveryUnit) {
  // "a" (1 byte) "é" (2) "中" (3) "😀" (4) "b"
  std::string text = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80" "b";
  OffsetConverter bytes(text, OffsetUnit::kUtf8Bytes);
  OffsetConverter utf16(text, OffsetUnit::kUtf16CodeUnits);
  OffsetConverter points(text, OffsetUnit::kCodePoints);
  const size_t byte_offsets[] = {0, 1, 3, 6, 10, 11};
  const int64_t utf16_offsets[] = {0, 1, 2, 3, 5, 6};
  const int64_t point_offsets[] = {0, 1, 2, 3, 4, 5};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(bytes.Convert(byte_offsets[i]), static_cast<int64_t>(byte_offsets[i]));
    EXPECT_EQ(utf16.Convert(byte_offsets[i]), utf16_offsets[i]) << i;
    EXPECT_EQ(points.Convert(byte_offsets[i]), point_offsets[i]) << i;
  }
}

TEST(OffsetConverter, LongTextsAcrossCheckpoints) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "\xC3\xA9x";  // 3 bytes, 2 code points
  OffsetConverter points(text, OffsetUnit::kCodePoints);
  for (size_t k = 0; k <= 1000; k += 37) EXPECT_EQ(points.Convert(3 * k), static_cast<int64_t>(2 * k));
  EXPECT_EQ(points.Convert(text.size()), 2000);
}

TEST(ValidUtf8Prefix, CutsAtACodePointBoundaryAndReplacesIllFormedSequences) {
  EXPECT_EQ(ValidUtf8Prefix("abc", 10), "abc");
  EXPECT_EQ(ValidUtf8Prefix("abc", 2), "ab");
  // "\xC3\xA9" is one code point: a cut inside it drops it whole.
  EXPECT_EQ(ValidUtf8Prefix("caf\xC3\xA9", 4), "caf");
  EXPECT_EQ(ValidUtf8Prefix("\xF0\x9F\x98\x80x", 3), "");
  // A lone continuation byte, an invalid lead with its continuations, a truncated sequence.
  EXPECT_EQ(ValidUtf8Prefix("a\x9A" "b", 10), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ValidUtf8Prefix("a\xF8\x88\x80\x80\x80" "b", 10), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ValidUtf8Prefix("a\xE2\x82", 10), "a\xEF\xBF\xBD");
  EXPECT_EQ(FirstInvalidUtf8(ValidUtf8Prefix("\xED\xA0\x80 surrogate", 100)), std::string_view::npos);
}

}  // namespace
}  // namespace docanalysis::text
