#include "service/text/html.h"

#include <string>

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace docanalysis::text
