// Property tests of the text pipeline on random input (deterministic seeds): whatever the text,
// tokens and sentences are in order, inside the text, on code point boundaries, and cover every
// non-space character; HTML extraction maps every byte back into the source.
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "service/text/html.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"

namespace docanalysis::text {
namespace {

// Pieces that exercise the tokenizer's rules, glued at random.
const char* const kPieces[] = {
    "U.S.", "Dr.", "Maj. Gen.", " ", "  ", "\n", "\n\n", ".", "...", "!?", ",", "\"", "'", "(", ")", "-", "--",
    "1,100", "3.5", "$", "%", "e.g.", "a", "Z", "word", "Word", "O'Neil", "don't", "follow-up", "AT&T",
    "http://x.org/a?b=1", "www.example.com", "me@example.co.uk", "@", ":)", "<3", ":-(",
    "\xC3\xA9", "\xE4\xB8\xAD\xE6\x96\x87", "\xE3\x80\x82", "\xF0\x9F\x98\x80", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
    "\xE2\x80\x9D", "\xE2\x80\xA6", "\xD0\x9F\xD1\x80\xD0\xB8", "\xE2\x80\x8D", "\xEF\xB8\x8F", "\t", "\xC2\xA0"};

std::string RandomText(std::mt19937& rng, int pieces) {
  std::uniform_int_distribution<size_t> pick(0, sizeof(kPieces) / sizeof(kPieces[0]) - 1);
  std::string s;
  for (int i = 0; i < pieces; ++i) s += kPieces[pick(rng)];
  return s;
}

bool Boundary(const std::string& s, uint32_t o) {
  return o == s.size() || (static_cast<unsigned char>(s[o]) & 0xC0) != 0x80;
}

TEST(SegmenterProperties, RandomTextsKeepTheInvariants) {
  std::mt19937 rng(20261129);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = RandomText(rng, 1 + iter % 60);
    ASSERT_EQ(FirstInvalidUtf8(text), std::string::npos);
    Segmentation seg = Segment(text);
    uint32_t prev_end = 0;
    std::string covered(text.size(), ' ');
    for (const auto& t : seg.tokens) {
      ASSERT_LT(t.begin, t.end) << text;
      ASSERT_LE(t.end, text.size()) << text;
      ASSERT_GE(t.begin, prev_end) << text;
      ASSERT_TRUE(Boundary(text, t.begin) && Boundary(text, t.end)) << text;
      for (uint32_t k = t.begin; k < t.end; ++k) covered[k] = 'x';
      prev_end = t.end;
    }
    // Every byte outside tokens is whitespace.
    for (size_t k = 0; k < text.size(); ++k) {
      if (covered[k] == 'x') continue;
      char c = text[k];
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                   (text.compare(k, 2, "\xC2\xA0") == 0) || (k > 0 && text.compare(k - 1, 2, "\xC2\xA0") == 0);
      ASSERT_TRUE(space) << "byte " << k << " of \"" << text << "\" is in no token";
    }
    uint32_t next_token = 0;
    for (const auto& s : seg.sentences) {
      ASSERT_EQ(s.token_begin, next_token) << text;
      ASSERT_LT(s.token_begin, s.token_end) << text;
      ASSERT_EQ(s.begin, seg.tokens[s.token_begin].begin);
      ASSERT_EQ(s.end, seg.tokens[s.token_end - 1].end);
      next_token = s.token_end;
    }
    ASSERT_EQ(next_token, seg.tokens.size()) << text;
  }
}

TEST(HtmlProperties, RandomMarkupMapsBackIntoTheSource) {
  const char* const kTags[] = {"<p>", "</p>", "<b>", "</b>", "<br>", "<li>", "<div class=\"x\">", "</div>",
                               "<script>x<y</script>", "&amp;", "&eacute;", "&#8217;", "&bogus;", "&", "<", ">",
                               "<!-- c -->", "\r\n", "<table><tr><td>1</td></tr></table>"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick_tag(0, sizeof(kTags) / sizeof(kTags[0]) - 1);
  for (int iter = 0; iter < 1500; ++iter) {
    std::string html;
    int n = 1 + iter % 30;
    for (int i = 0; i < n; ++i) html += (rng() % 2) ? kTags[pick_tag(rng)] : RandomText(rng, 1 + rng() % 4);
    auto t = ExtractHtmlText(html);
    ASSERT_TRUE(t.ok()) << html;
    ASSERT_EQ(t->source_offsets.size(), t->text.size() + 1) << html;
    ASSERT_EQ(FirstInvalidUtf8(t->text), std::string::npos) << html;
    for (size_t i = 0; i < t->source_offsets.size(); ++i) ASSERT_LE(t->source_offsets[i], html.size()) << html;
    Segmentation seg = Segment(t->text);
    for (const auto& tok : seg.tokens) ASSERT_LE(t->source_offsets[tok.begin], t->source_offsets[tok.end]) << html;
  }
}

}  // namespace
}  // namespace docanalysis::text
