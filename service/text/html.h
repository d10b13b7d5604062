// HTML to text for the text pipeline, with every text byte mapped back to its offset in the HTML
// source, so that spans the plugins report on the text can be returned on the original document.
//
// Uses Gumbo (an HTML5 parser). Script, style, template, head and noscript contents are dropped;
// block elements (p, div, li, h1-h6, tr, br, ...) become line breaks so that the segmenter sees
// paragraph and sentence boundaries. Character references (&amp; &#233;) are decoded.
//
// THREADING: ExtractHtmlText is pure and safe to call concurrently.
//
//   absl::StatusOr<HtmlText> t = ExtractHtmlText("<p>Caf&eacute; <b>Niger</b></p>");
//   // t->text == "Café Niger\n\n", t->source_offsets[5] == 18 (the 'N' in the source)
#ifndef DOCANALYSIS_SERVICE_TEXT_HTML_H_
#define DOCANALYSIS_SERVICE_TEXT_HTML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace docanalysis::text {

struct HtmlText {
  std::string text;
  // source_offsets[i] is the byte offset in the HTML of text byte i; one extra entry maps
  // text.size() to the end of the last text run, so [begin, end) spans map directly.
  std::vector<uint32_t> source_offsets;
};

// `html` must be valid UTF-8.
absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html);

}  // namespace docanalysis::text

#endif  // DOCANALYSIS_SERVICE_TEXT_HTML_H_
