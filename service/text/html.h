// HTML to text for the text pipeline, with every text byte mapped back to its offset in the HTML
// source, so that spans the plugins report on the text can be returned on the original document.
//
// Uses Gumbo (an HTML5 parser). Script, style, template, head and noscript contents are dropped;
// block elements (p, div, li, h1-h6, tr, br, ...) become line breaks so that the segmenter sees
// paragraph and sentence boundaries. Character references (&amp; &#233;) are decoded.
//
// Time is linear in the document's length: nesting deeper than kMaxHtmlDepth is flattened before
// parsing (text kept, offsets unchanged), the tree is walked without recursion, and character
// references are looked for within a bounded window.
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
#include "service/text/cancel.h"

namespace docanalysis::text {

struct HtmlText {
  std::string text;
  // source_offsets[i] is the byte offset in the HTML of text byte i; one extra entry maps
  // text.size() to the end of the last text run, so [begin, end) spans map directly.
  std::vector<uint32_t> source_offsets;
};

// `html` must be valid UTF-8.
absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html);

// The same, polling `cancel`; CANCELLED once it fires.
absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html, CancelCheck* cancel);

// Nesting deeper than this many open elements is flattened: the start and end tags of the deeper
// elements are ignored (their text is kept), so that no document costs more than linear time or
// builds a deep tree. Likewise for formatting elements (b, i, a, font, ...) left open past
// kMaxOpenFormatting.
inline constexpr size_t kMaxHtmlDepth = 256;
inline constexpr size_t kMaxOpenFormatting = 64;

}  // namespace docanalysis::text

#endif  // DOCANALYSIS_SERVICE_TEXT_HTML_H_
