#include "service/text/html.h"

#include <functional>
#include <string>

#include "gtest/gtest.h"
#include "service/text/utf8.h"

namespace docanalysis::text {
namespace {

// Every text byte must map back to the same character in the source (but for decoded references).
void ExpectMapsBack(const std::string& html, const HtmlText& t) {
  ASSERT_EQ(t.source_offsets.size(), t.text.size() + 1);
  for (size_t i = 0; i < t.text.size(); ++i) {
    if (t.text[i] == '\n') continue;
    uint32_t src = t.source_offsets[i];
    ASSERT_LT(src, html.size());
    if (html[src] == '&') continue;
    EXPECT_EQ(html[src], t.text[i]) << "text byte " << i;
  }
}

TEST(ExtractHtmlText, BlocksBecomeParagraphs) {
  std::string html = "<html><head><title>T</title><script>var x = 1;</script></head>"
                     "<body><h1>Niger talks</h1><p>The U.S. <b>left</b>.</p><ul><li>One</li><li>Two</li></ul></body></html>";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "Niger talks\n\nThe U.S. left.\n\nOne\nTwo");
  ExpectMapsBack(html, *t);
  size_t left = t->text.find("left");
  EXPECT_EQ(html.substr(t->source_offsets[left], 4), "left");
}

TEST(ExtractHtmlText, CharacterReferencesMapToTheirSource) {
  std::string html = "<p>Caf&eacute; &amp; Niger&#8217;s AT&T</p>";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "Caf\xC3\xA9 & Niger\xE2\x80\x99s AT&T");
  ExpectMapsBack(html, *t);
  size_t niger = t->text.find("Niger");
  EXPECT_EQ(html.substr(t->source_offsets[niger], 5), "Niger");
  size_t s = t->text.find("s AT");
  EXPECT_EQ(html[t->source_offsets[s]], 's');
  size_t att = t->text.find("AT&T");
  EXPECT_EQ(html.substr(t->source_offsets[att], 4), "AT&T");
  EXPECT_EQ(t->source_offsets[t->text.size()], html.find("</p>"));
}

TEST(ExtractHtmlText, EmptyAndBroken) {
  auto t = ExtractHtmlText("");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "");
  auto u = ExtractHtmlText("<p>unclosed <b>bold <i>text");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->text, "unclosed bold text");
}

// Nesting far past kMaxHtmlDepth: no crash, no deep recursion, the text kept and mapped back.
TEST(ExtractHtmlText, DeepNestingIsFlattenedWithItsTextKept) {
  for (std::string open : {"<div>", "<b>", "<table><tr><td>", "<ul><li>", "<a href=x>", "<font color=red>"}) {
    std::string html;
    for (int i = 0; i < 100000; ++i) html += open;
    html += "Niger talks";
    auto t = ExtractHtmlText(html);
    ASSERT_TRUE(t.ok()) << open << ": " << t.status();
    EXPECT_NE(t->text.find("Niger talks"), std::string::npos) << open;
    ExpectMapsBack(html, *t);
    size_t at = t->text.find("Niger");
    EXPECT_EQ(html.substr(t->source_offsets[at], 5), "Niger") << open;
  }
}

TEST(ExtractHtmlText, NestingUnderTheLimitIsKept) {
  std::string html;
  for (int i = 0; i < 50; ++i) html += "<div><p>level " + std::to_string(i) + "</p>";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->text.find("level 0\n\nlevel 1"), std::string::npos);
  EXPECT_NE(t->text.find("level 49"), std::string::npos);
}

TEST(ExtractHtmlText, ManyAmpersandsWithoutSemicolons) {
  std::string html = "<p>";
  for (int i = 0; i < 200000; ++i) html += "&amp";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text.size(), 200000u);  // each "&amp" decodes to "&"
  ExpectMapsBack(html, *t);
}

TEST(ExtractHtmlText, FlatteningKeepsRawTextAndComments) {
  std::string html;
  for (int i = 0; i < 300; ++i) html += "<div>";
  html += "<script>var s = '<div><div>';</script><!-- <div> -->kept<textarea><b>also</b></textarea>";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->text.find("kept"), std::string::npos);
  EXPECT_EQ(t->text.find("var s"), std::string::npos);  // script dropped
  EXPECT_NE(t->text.find("<b>also</b>"), std::string::npos);  // textarea contents are text
}

TEST(ExtractHtmlText, CancelledReductionStops) {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<p>word</p>";
  int polls = 0;
  std::function<bool()> cancelled = [&polls] { return ++polls > 2; };
  CancelCheck check(&cancelled);
  auto t = ExtractHtmlText(html, &check);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kCancelled);
}

TEST(ExtractHtmlText, OverflowingNumericReferenceBecomesReplacementCharacter) {
  // Found by html_fuzzer: Gumbo decodes this reference into a lone continuation byte.
  const std::string html = "<p>Can &#x0F9999999999999999999999999999999999999999999999999999999999999anentity e</p>";
  auto t = ExtractHtmlText(html);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FirstInvalidUtf8(t->text), std::string_view::npos);
  EXPECT_NE(t->text.find("\xEF\xBF\xBD"), std::string::npos) << t->text;
  EXPECT_EQ(t->text.substr(0, 4), "Can ");
  ASSERT_EQ(t->source_offsets.size(), t->text.size() + 1);
  const size_t fffd = t->text.find("\xEF\xBF\xBD");
  EXPECT_EQ(t->source_offsets[fffd], html.find('&'));  // the replacement maps to its reference
  for (size_t i = 1; i < t->source_offsets.size(); ++i) EXPECT_LE(t->source_offsets[i - 1], t->source_offsets[i]);
}

}  // namespace
}  // namespace docanalysis::text
