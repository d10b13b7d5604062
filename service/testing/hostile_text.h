// A documented family of hostile document shapes, for the linear-time test, the benchmark and
// the fuzzers' seed corpora.
//
// Every shape is generated to an exact size from a short pattern, so that a scanner that rescans
// from each position (quadratic) shows at once against ordinary prose of the same size:
//   - run/<class>:        one character class repeated (letters, capitals, digits, spaces, newlines,
//                         each punctuation and symbol the segmenter treats specially, emoji, CJK,
//                         a combining mark on one base letter);
//   - alt/<a><b>:         two classes alternating ("a_", "a.", "1,", "A.", "a@", ":)", ...);
//   - open/<bracket>:     unclosed brackets and quotes, and closing runs after a URL;
//   - word/long:          one word as long as the document; word/initials: "A.B.C.D...";
//   - html/<element>:     markup nesting (<div>, <b>, <table><tr><td>, <li>, <a>), unclosed
//                         attributes and comments, character references without ';';
//   - url/..., email/...: URL- and e-mail-like fragments that almost match.
// HTML shapes have `html` set and go through HTML reduction; the others are plain text.
//
// THREADING: pure functions.
#ifndef DOCANALYSIS_SERVICE_TESTING_HOSTILE_TEXT_H_
#define DOCANALYSIS_SERVICE_TESTING_HOSTILE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace docanalysis::testing {

struct HostileShape {
  std::string name;
  std::string pattern;  // repeated to the requested size
  bool html = false;
  std::string prefix;   // written once before the repetitions
};

// `prefix`, then whole copies of `pattern`, up to `bytes` bytes (never a partial character).
inline std::string Fill(std::string_view prefix, std::string_view pattern, size_t bytes) {
  std::string out(prefix.substr(0, bytes));
  out.reserve(bytes);
  while (out.size() + pattern.size() <= bytes) out.append(pattern);  // whole patterns: UTF-8 boundaries kept
  return out;
}

inline std::vector<HostileShape> HostileShapes() {
  std::vector<HostileShape> s;
  auto add = [&s](std::string name, std::string pattern, bool html = false, std::string prefix = "") {
    s.push_back({std::move(name), std::move(pattern), html, std::move(prefix)});
  };
  // Runs of one character class.
  const std::pair<const char*, const char*> runs[] = {
      {"letters", "a"},  {"capitals", "A"}, {"digits", "7"},  {"spaces", " "},   {"newlines", "\n"},
      {"dots", "."},     {"bangs", "!"},    {"hyphens", "-"}, {"underscores", "_"}, {"apostrophes", "'"},
      {"quotes", "\""},  {"close-parens", ")"}, {"open-parens", "("}, {"ampersands", "&"}, {"ats", "@"},
      {"hashes", "#"},   {"slashes", "/"},  {"colons", ":"},  {"commas", ","},   {"lt", "<"},
      {"emoji", "\xF0\x9F\x98\x80"}, {"cjk", "\xE4\xB8\xAD"}, {"curly-quotes", "\xE2\x80\x9D"},
      {"ellipsis", "\xE2\x80\xA6"}, {"zwj", "\xE2\x80\x8D"}, {"flags", "\xF0\x9F\x87\xBA"},
      {"tabs", "\t"}, {"nbsp", "\xC2\xA0"}};
  for (const auto& [name, ch] : runs) add(std::string("run/") + name, ch);
  add("run/combining", "\xCC\x81", false, "e");  // one base letter, then only combining acute accents
  // Two classes alternating.
  const std::pair<const char*, const char*> alts[] = {
      {"a_", "a_"},   {"a.", "a."},   {"A.", "A."},   {"a@", "a@"},  {"1,", "1,"},  {"1.", "1."},
      {"a-", "a-"},   {"a'", "a'"},   {"a/", "a/"},   {"a:", "a:"},  {"a ", "a "},  {"A ", "A. "},
      {":)", ":)"},   {".)", ".)"},   {"!?", "!?"},   {"a\n", "a\n"}, {"a&", "a&"}, {"a#", "a#"},
      {"aa", "a\xF0\x9F\x98\x80"}, {"e-zwj", "\xF0\x9F\x98\x80\xE2\x80\x8D"}, {"cjk-mark", "\xE4\xB8\xAD\xCC\x81"},
      {"rtl", "\xD7\xA9\xD7\x9C"}, {"mixed-case", "aB"}, {"1-", "1-"}, {"1:", "1:"}};
  for (const auto& [name, pat] : alts) add(std::string("alt/") + name, pat);
  // Unclosed brackets and quotes.
  add("open/parens", "(a ");
  add("open/quotes", "\"a ");
  add("open/curly", "\xE2\x80\x9C" "a ");
  add("open/url-close-parens", ")", false, "see http://example.com/a_(b ");
  add("open/quote-close-runs", "\")", false, "He said \"yes.");
  // Long words.
  add("word/long", "abcdefghij");
  add("word/initials", "A.");
  add("word/dotted", "ab.");
  add("word/hyphenated", "ab-");
  add("word/number-groups", "1,000");
  add("word/decimal", "1.5.");
  // URL- and e-mail-like fragments.
  add("url/schemes", "http://");
  add("url/www", "www.a");
  add("url/no-space", "http://a.b/c");
  add("url/trailing-dots", ".", false, "http://example.com/x");
  add("email/local-run", "a.", false, "");
  add("email/ats", "a@a");
  add("email/no-tld", "first.last@host");
  add("email/dashes", "a-", false, "x@");
  // Markup nesting and broken markup.
  add("html/div", "<div>", true);
  add("html/b", "<b>", true);
  add("html/table", "<table><tr><td>", true);
  add("html/li", "<ul><li>", true);
  add("html/a", "<a href=x>", true);
  add("html/font-attrs", "<font color=red>x", true);
  add("html/p-b", "<p><b>x</p>", true);
  add("html/close-div", "</div>", true);
  add("html/close-p", "</p>", true);
  add("html/unclosed-attr", "a", true, "<p title=\"");
  add("html/unclosed-comment", "a-", true, "<p>x<!--");
  add("html/refs-no-semicolon", "&amp", true);
  add("html/amp-runs", "&", true);
  add("html/text", "Niger talks went well. ", true, "<p>");
  return s;
}

// Ordinary prose of `bytes` bytes: `article` repeated, each copy its own paragraph.
inline std::string Prose(std::string_view article, size_t bytes) {
  std::string paragraph(article);
  paragraph.append("\n\n");
  return Fill("", paragraph, bytes);
}

inline std::string Generate(const HostileShape& shape, size_t bytes) { return Fill(shape.prefix, shape.pattern, bytes); }

}  // namespace docanalysis::testing

#endif  // DOCANALYSIS_SERVICE_TESTING_HOSTILE_TEXT_H_
