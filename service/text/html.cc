#include "service/text/html.h"

#include <gumbo.h>

#include <memory>

#include "absl/status/status.h"

namespace docanalysis::text {
namespace {

bool IsDropped(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_NOSCRIPT ||
         tag == GUMBO_TAG_TEMPLATE || tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_OBJECT || tag == GUMBO_TAG_SVG;
}

// Block-level elements: text before and after them is a separate paragraph.
bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HR: case GUMBO_TAG_DL: case GUMBO_TAG_TITLE: case GUMBO_TAG_FORM:
      return true;
    default:
      return false;
  }
}

// Elements that end a line (one sentence per item or row).
bool IsLine(GumboTag tag) {
  return tag == GUMBO_TAG_LI || tag == GUMBO_TAG_TR || tag == GUMBO_TAG_BR || tag == GUMBO_TAG_DT ||
         tag == GUMBO_TAG_DD || tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH || tag == GUMBO_TAG_CAPTION;
}

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  return 2;
}

class Extractor {
 public:
  explicit Extractor(std::string_view html) : html_(html) {}

  HtmlText Run(const GumboNode* root) {
    Walk(root);
    out_.source_offsets.push_back(last_end_);
    return std::move(out_);
  }

 private:
  void Separator(std::string_view sep, uint32_t at) {
    if (out_.text.empty()) return;
    // Don't stack separators: keep at most "\n\n".
    size_t have = 0;
    while (have < out_.text.size() && have < 2 && out_.text[out_.text.size() - 1 - have] == '\n') ++have;
    for (size_t k = have; k < sep.size(); ++k) {
      out_.text.push_back('\n');
      out_.source_offsets.push_back(at);
    }
  }

  void Text(const GumboText& t) {
    std::string_view decoded(t.text);
    std::string_view orig(t.original_text.data, t.original_text.length);
    uint32_t base = static_cast<uint32_t>(t.start_pos.offset);
    size_t i = 0, j = 0;
    while (i < decoded.size()) {
      if (j < orig.size() && orig[j] == '&' && decoded[i] != '&') {
        // A character reference: the decoded code point maps to the '&'.
        size_t semi = orig.find(';', j);
        size_t end = (semi != std::string_view::npos && semi - j <= 32) ? semi + 1 : j + 1;
        if (end == j + 1) {
          while (end < orig.size() && isalnum(static_cast<unsigned char>(orig[end]))) ++end;
        }
        size_t len = Utf8Length(static_cast<unsigned char>(decoded[i]));
        for (size_t k = 0; k < len && i < decoded.size(); ++k, ++i) Push(decoded[i], base + j);
        j = end;
        continue;
      }
      if (j < orig.size() && orig[j] == '&' && decoded[i] == '&') {
        // "&amp;" decodes to '&' too: tell a literal '&' from a reference by what follows.
        size_t semi = orig.find(';', j);
        bool reference = semi != std::string_view::npos && semi - j <= 32 && semi > j + 1;
        if (reference) {
          for (size_t k = j + 1; k < semi; ++k)
            if (!isalnum(static_cast<unsigned char>(orig[k])) && orig[k] != '#') reference = false;
        }
        Push(decoded[i++], base + j);
        j = reference ? semi + 1 : j + 1;
        continue;
      }
      if (j < orig.size() && orig[j] == '\r' && decoded[i] != '\r') {
        ++j;  // CR LF normalised to LF
        continue;
      }
      Push(decoded[i++], base + static_cast<uint32_t>(std::min(j, orig.size())));
      if (j < orig.size()) ++j;
    }
    last_end_ = base + static_cast<uint32_t>(orig.size());
  }

  void Push(char c, uint32_t at) {
    out_.text.push_back(c);
    out_.source_offsets.push_back(at);
  }

  void Walk(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        Text(node->v.text);
        return;
      case GUMBO_NODE_DOCUMENT:
        WalkChildren(&node->v.document.children);
        return;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboElement& e = node->v.element;
        if (IsDropped(e.tag)) return;
        uint32_t start = static_cast<uint32_t>(e.start_pos.offset);
        if (IsBlock(e.tag)) Separator("\n\n", start);
        else if (IsLine(e.tag)) Separator("\n", start);
        WalkChildren(&e.children);
        uint32_t end = static_cast<uint32_t>(e.end_pos.offset);
        if (IsBlock(e.tag)) Separator("\n\n", end);
        else if (IsLine(e.tag) && e.tag != GUMBO_TAG_BR) Separator("\n", end);
        return;
      }
      default:
        return;
    }
  }

  void WalkChildren(const GumboVector* children) {
    for (unsigned i = 0; i < children->length; ++i) Walk(static_cast<const GumboNode*>(children->data[i]));
  }

  std::string_view html_;
  HtmlText out_;
  uint32_t last_end_ = 0;
};

}  // namespace

absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&options, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (output == nullptr) return absl::InvalidArgumentError("the HTML document could not be parsed");
  HtmlText result = Extractor(html).Run(output->document);
  // Trim the trailing separator: text ends with its last character.
  while (!result.text.empty() && result.text.back() == '\n') {
    result.text.pop_back();
    result.source_offsets.erase(result.source_offsets.end() - 2);
  }
  return result;
}

}  // namespace docanalysis::text
