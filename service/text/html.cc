#include "service/text/html.h"

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/text/utf8.h"

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

// The ';' ending a character reference that starts at `amp`, looked for within kMaxReference
// bytes (the longest named reference is 33 bytes), so that text full of '&' stays linear.
constexpr size_t kMaxReference = 40;
size_t FindSemicolon(std::string_view s, size_t amp) {
  size_t end = std::min(s.size(), amp + kMaxReference);
  for (size_t k = amp + 1; k < end; ++k)
    if (s[k] == ';') return k;
  return std::string_view::npos;
}

class Extractor {
 public:
  Extractor(std::string_view html, CancelCheck* cancel) : html_(html), cancel_(cancel) {}

  // False when cancelled part-way.
  bool Run(const GumboNode* root, HtmlText* out) {
    Walk(root);
    if (cancel_->cancelled()) return false;
    out_.source_offsets.push_back(last_end_);
    *out = std::move(out_);
    return true;
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
      if (cancel_->Poll()) return;
      if (j < orig.size() && orig[j] == '&' && decoded[i] != '&') {
        // A character reference: the decoded code point maps to the '&'.
        size_t semi = FindSemicolon(orig, j);
        size_t end = semi != std::string_view::npos ? semi + 1 : j + 1;
        if (end == j + 1) {
          while (end < orig.size() && end - j <= kMaxReference && isalnum(static_cast<unsigned char>(orig[end]))) ++end;
        }
        size_t len = Utf8Length(static_cast<unsigned char>(decoded[i]));
        for (size_t k = 0; k < len && i < decoded.size(); ++k, ++i) Push(decoded[i], base + j);
        j = end;
        continue;
      }
      if (j < orig.size() && orig[j] == '&' && decoded[i] == '&') {
        // "&amp;" decodes to '&' too: tell a literal '&' from a reference by what follows.
        size_t semi = FindSemicolon(orig, j);
        bool reference = semi != std::string_view::npos && semi > j + 1;
        if (reference) {
          for (size_t k = j + 1; k < semi; ++k)
            if (!isalnum(static_cast<unsigned char>(orig[k])) && orig[k] != '#') reference = false;
        }
        Push(decoded[i++], base + j);
        if (reference) {
          j = semi + 1;
        } else if (orig.compare(j + 1, 3, "amp") == 0 || orig.compare(j + 1, 3, "AMP") == 0) {
          j += 4;  // the legacy reference "&amp" without its ';', which parsers decode too
        } else {
          j += 1;
        }
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

  // Depth-first, in document order, with an explicit stack: no recursion that grows with nesting.
  void Walk(const GumboNode* root) {
    struct Frame {
      const GumboNode* node;
      unsigned next_child;
    };
    std::vector<Frame> stack;
    auto enter = [&](const GumboNode* node) {
      switch (node->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
          Text(node->v.text);
          return;
        case GUMBO_NODE_DOCUMENT:
          stack.push_back({node, 0});
          return;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
          const GumboElement& e = node->v.element;
          if (IsDropped(e.tag)) return;
          uint32_t start = static_cast<uint32_t>(e.start_pos.offset);
          if (IsBlock(e.tag)) Separator("\n\n", start);
          else if (IsLine(e.tag)) Separator("\n", start);
          stack.push_back({node, 0});
          return;
        }
        default:
          return;
      }
    };
    auto leave = [&](const GumboNode* node) {
      if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
      const GumboElement& e = node->v.element;
      uint32_t end = static_cast<uint32_t>(e.end_pos.offset);
      if (IsBlock(e.tag)) Separator("\n\n", end);
      else if (IsLine(e.tag) && e.tag != GUMBO_TAG_BR) Separator("\n", end);
    };
    enter(root);
    while (!stack.empty()) {
      if (cancel_->Poll()) return;
      Frame& f = stack.back();
      const GumboVector& children =
          f.node->type == GUMBO_NODE_DOCUMENT ? f.node->v.document.children : f.node->v.element.children;
      if (f.next_child < children.length) {
        enter(static_cast<const GumboNode*>(children.data[f.next_child++]));  // may grow `stack`
        continue;
      }
      const GumboNode* done = f.node;
      stack.pop_back();
      leave(done);
    }
  }

  std::string_view html_;
  CancelCheck* cancel_;
  HtmlText out_;
  uint32_t last_end_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Nesting limit. An HTML5 tree builder checks element scopes by walking its stack of open
// elements, so deep nesting costs time quadratic in the depth (and deep trees are freed
// recursively). FlattenDeepNesting() bounds the depth before the parser sees the document: one
// forward pass tokenises tags (comments, raw-text elements and quoted attribute values are
// skipped as the HTML5 tokeniser skips them) and estimates the parser's stack of open elements
// from above. A start tag that would open an element deeper than kMaxHtmlDepth, or a formatting
// element (b, i, a, font, ...) past kMaxOpenFormatting still open, is rewritten in place into a
// bogus comment of the same length ("<?   >"), together with its matching end tag. The text
// inside is kept, and every byte keeps its offset, so spans still map onto the caller's source.

bool IsVoid(std::string_view t) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br",   "col",   "embed",  "hr",    "img",
                                               "input", "link", "meta", "param", "source", "track", "wbr",
                                               "keygen", "basefont", "bgsound", "frame", "image"};
  return std::find(std::begin(kVoid), std::end(kVoid), t) != std::end(kVoid);
}

bool IsFormatting(std::string_view t) {
  static constexpr std::string_view kFormatting[] = {"a",     "b",      "big",    "code", "em", "font", "i",
                                                     "nobr",  "s",      "small",  "strike", "strong", "tt", "u"};
  return std::find(std::begin(kFormatting), std::end(kFormatting), t) != std::end(kFormatting);
}

// Elements whose contents the tokeniser does not parse as markup, up to their own end tag.
bool IsRawText(std::string_view t) {
  return t == "script" || t == "style" || t == "xmp" || t == "iframe" || t == "noembed" || t == "noframes" ||
         t == "noscript" || t == "textarea" || t == "title";
}

// A start tag of `t` implicitly closes an open element of group `ImpliedGroup(t)` near the top of
// the stack (a new <li> closes the previous one, a <td> the previous cell, a <p> or any block the
// open paragraph).
std::string_view ImpliedGroup(std::string_view t) {
  if (t == "li") return "li";
  if (t == "dt" || t == "dd") return "dd";
  if (t == "td" || t == "th") return "td";
  if (t == "tr") return "tr";
  if (t == "tbody" || t == "thead" || t == "tfoot") return "tbody";
  if (t == "option") return "option";
  if (t == "optgroup") return "optgroup";
  if (t == "rb" || t == "rt" || t == "rp" || t == "rtc") return "rt";
  return {};
}
std::string_view GroupOf(std::string_view t) {
  std::string_view g = ImpliedGroup(t);
  return g.empty() ? t : g;
}
bool ClosesParagraph(std::string_view t) {
  static constexpr std::string_view kBlocks[] = {
      "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
      "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
      "hgroup", "hr", "li", "dd", "dt", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), t) != std::end(kBlocks);
}

class NestingLimiter {
 public:
  NestingLimiter(std::string_view html, CancelCheck* cancel) : html_(html), cancel_(cancel) {}

  // Returns the rewritten document, or nullopt when nothing had to change (or when cancelled:
  // check cancel->cancelled()).
  std::optional<std::string> Run() {
    const size_t n = html_.size();
    size_t i = 0;
    while (i < n) {
      if (cancel_->Poll()) return std::nullopt;
      const char* lt = static_cast<const char*>(std::memchr(html_.data() + i, '<', n - i));
      if (lt == nullptr) break;
      i = static_cast<size_t>(lt - html_.data());
      if (html_.compare(i, 4, "<!--") == 0) {
        size_t close = html_.find("-->", i + 4);
        i = close == std::string_view::npos ? n : close + 3;
        continue;
      }
      if (i + 1 < n && (html_[i + 1] == '!' || html_[i + 1] == '?')) {  // doctype, CDATA, bogus comment
        size_t close = html_.find('>', i + 2);
        i = close == std::string_view::npos ? n : close + 1;
        continue;
      }
      bool end_tag = i + 1 < n && html_[i + 1] == '/';
      size_t name_begin = i + (end_tag ? 2 : 1);
      if (name_begin >= n || !absl::ascii_isalpha(static_cast<unsigned char>(html_[name_begin]))) {
        i = name_begin;  // a literal '<'
        continue;
      }
      size_t name_end = name_begin;
      while (name_end < n && !IsTagNameEnd(html_[name_end])) ++name_end;
      size_t tag_end = SkipAttributes(name_end);  // one past '>', or n
      name_.assign(html_.substr(name_begin, std::min<size_t>(name_end - name_begin, 16)));
      absl::AsciiStrToLower(&name_);
      if (end_tag) {
        EndTag(i, tag_end);
      } else {
        StartTag(i, tag_end);
        if (name_ == "plaintext") break;
        if (IsRawText(name_)) tag_end = SkipRawText(tag_end, name_);
      }
      i = tag_end;
    }
    if (!changed_) return std::nullopt;
    return std::move(out_);
  }

 private:
  static bool IsTagNameEnd(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>'; }

  // From just past a tag name to one past its '>' (quoted attribute values may hold '>').
  size_t SkipAttributes(size_t k) const {
    const size_t n = html_.size();
    bool after_equals = false;
    while (k < n) {
      char c = html_[k];
      if (c == '>') return k + 1;
      if (after_equals && (c == '"' || c == '\'')) {
        size_t close = html_.find(c, k + 1);
        if (close == std::string_view::npos) return n;
        k = close + 1;
        after_equals = false;
        continue;
      }
      if (c == '=') after_equals = true;
      else if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) after_equals = false;
      ++k;
    }
    return n;
  }

  // From just past <name ...> to the start of its end tag "</name" (ASCII case-insensitive), or n.
  size_t SkipRawText(size_t k, std::string_view name) const {
    const size_t n = html_.size();
    while (k < n) {
      const char* lt = static_cast<const char*>(std::memchr(html_.data() + k, '<', n - k));
      if (lt == nullptr) return n;
      k = static_cast<size_t>(lt - html_.data());
      if (k + 2 + name.size() <= n && html_[k + 1] == '/' &&
          absl::EqualsIgnoreCase(absl::string_view(html_.data() + k + 2, name.size()), absl::string_view(name.data(), name.size())))
        return k;
      ++k;
    }
    return n;
  }

  void Blank(size_t begin, size_t end) {
    if (end - begin < 3) return;  // cannot happen: the shortest tag is "<a>"
    if (!changed_) out_.assign(html_), changed_ = true;
    // "<?" starts a bogus comment that ends at the first '>': no element, no text.
    out_[begin] = '<';
    out_[begin + 1] = '?';
    for (size_t k = begin + 2; k + 1 < end; ++k)
      if (out_[k] == '>') out_[k] = ' ';  // only inside quoted attribute values
    out_[end - 1] = '>';
  }

  void Push(const std::string& name) {
    stack_.push_back(name);
    ++open_[name];
  }
  void Pop() {
    auto it = open_.find(stack_.back());
    if (--it->second == 0) open_.erase(it);
    stack_.pop_back();
  }
  // Elements that open a new scope for `group`: an open element of the group below one of them
  // belongs to an outer structure (a <tr> inside a nested <table> does not close the outer row).
  static bool IsScopeFor(std::string_view group, std::string_view t) {
    if (group == "td" || group == "tr" || group == "tbody") return t == "table";
    if (group == "li") return t == "ul" || t == "ol" || t == "menu";
    if (group == "dd") return t == "dl";
    if (group == "option" || group == "optgroup") return t == "select" || t == "datalist";
    if (group == "rt") return t == "ruby";
    if (group == "p") return t == "button" || t == "table" || t == "td" || t == "th" || t == "caption" ||
                             t == "object" || t == "marquee" || t == "applet";
    return false;
  }

  // Pops down to and including the topmost element of group `group`, when one is within the top
  // few entries of the same scope (bounded look-back).
  void CloseImplied(std::string_view group) {
    for (size_t k = stack_.size(), steps = 0; k-- > 0 && steps < 4; ++steps) {
      if (GroupOf(stack_[k]) == group) {
        while (stack_.size() > k) Pop();
        return;
      }
      if (IsScopeFor(group, stack_[k])) return;
    }
  }

  void StartTag(size_t begin, size_t end) {
    if (end > html_.size() || html_[end - 1] != '>') return;  // unterminated: the parser sees text
    // Void and raw-text elements never hold nested markup (a raw-text element ends at its own end
    // tag), so they add no depth and are never flattened.
    if (IsVoid(name_) || IsRawText(name_) || name_ == "plaintext") return;
    if (std::string_view g = ImpliedGroup(name_); !g.empty()) CloseImplied(g);
    if (ClosesParagraph(name_)) CloseImplied("p");
    bool formatting = IsFormatting(name_);
    if (stack_.size() >= kMaxHtmlDepth || (formatting && open_formatting_ >= kMaxOpenFormatting)) {
      Blank(begin, end);
      ++overflow_[name_];
      return;
    }
    if (formatting) ++open_formatting_;
    Push(name_);
  }

  void EndTag(size_t begin, size_t end) {
    if (end > html_.size() || html_[end - 1] != '>') return;
    if (auto it = overflow_.find(name_); it != overflow_.end()) {
      // The innermost open element of this name is one that was flattened.
      Blank(begin, end);
      if (--it->second == 0) overflow_.erase(it);
      return;
    }
    if (IsFormatting(name_) && open_formatting_ > 0) --open_formatting_;
    if (open_.find(name_) == open_.end()) return;  // a stray end tag: the parser ignores it
    while (!stack_.empty()) {
      bool match = stack_.back() == name_;
      Pop();
      if (match) break;
    }
  }

  std::string_view html_;
  CancelCheck* cancel_;
  std::string name_;
  std::vector<std::string> stack_;
  absl::flat_hash_map<std::string, size_t> open_;      // names on stack_ -> count
  absl::flat_hash_map<std::string, size_t> overflow_;  // flattened start tags not yet closed
  size_t open_formatting_ = 0;
  bool changed_ = false;
  std::string out_;
};

}  // namespace

absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html) {
  CancelCheck never;
  return ExtractHtmlText(html, &never);
}

namespace {

// Gumbo (0.10.1) turns a numeric character reference that overflows, such as "&#x0F9999999999a;",
// into bytes that are not UTF-8 (a lone continuation byte). Each such sequence, a byte that cannot
// start one and the continuation bytes after it, becomes U+FFFD, mapped to that byte's source offset.
// One pass: each FirstInvalidUtf8 call starts where the previous one stopped.
void RepairUtf8(HtmlText* t) {
  if (FirstInvalidUtf8(t->text) == std::string_view::npos) return;
  std::string text;
  std::vector<uint32_t> offsets;
  text.reserve(t->text.size() + 16);
  offsets.reserve(t->source_offsets.size() + 16);
  std::string_view in(t->text);
  size_t i = 0;
  while (i < in.size()) {
    size_t bad = FirstInvalidUtf8(in.substr(i));
    size_t good_end = bad == std::string_view::npos ? in.size() : i + bad;
    text.append(in.data() + i, good_end - i);
    offsets.insert(offsets.end(), t->source_offsets.begin() + i, t->source_offsets.begin() + good_end);
    if (good_end == in.size()) break;
    const uint32_t at = t->source_offsets[good_end];
    text.append("\xEF\xBF\xBD");
    offsets.insert(offsets.end(), 3, at);
    i = good_end + 1;
    while (i < in.size() && (static_cast<unsigned char>(in[i]) & 0xC0) == 0x80) ++i;
  }
  offsets.push_back(t->source_offsets.back());
  t->text = std::move(text);
  t->source_offsets = std::move(offsets);
}

}  // namespace

absl::StatusOr<HtmlText> ExtractHtmlText(std::string_view html, CancelCheck* cancel) {
  auto cancelled = [] { return absl::CancelledError("cancelled while reducing HTML to text"); };
  std::optional<std::string> flattened = NestingLimiter(html, cancel).Run();
  if (cancel->cancelled()) return cancelled();
  std::string_view parsed = flattened ? std::string_view(*flattened) : html;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&options, parsed.data(), parsed.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (output == nullptr) return absl::InvalidArgumentError("the HTML document could not be parsed");
  if (cancel->PollNow()) return cancelled();
  HtmlText result;
  if (!Extractor(parsed, cancel).Run(output->document, &result)) return cancelled();
  RepairUtf8(&result);
  // Trim the trailing separator: text ends with its last character.
  while (!result.text.empty() && result.text.back() == '\n') {
    result.text.pop_back();
    result.source_offsets.erase(result.source_offsets.end() - 2);
  }
  return result;
}

}  // namespace docanalysis::text
