#include "service/core/offsets.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "service/text/utf8.h"

namespace docanalysis {
namespace {

class SpanConverter {
 public:
  SpanConverter(const DocumentText& t, text::OffsetUnit unit)
      : text_(t.text()), source_(t.source), source_offsets_(t.html ? &t.html->source_offsets : nullptr),
        conv_(t.source, unit) {}

  void Convert(v1::TextSpan* span) const {
    uint32_t b = static_cast<uint32_t>(span->begin_offset()), e = static_cast<uint32_t>(span->end_offset());
    span->set_begin_offset(static_cast<int32_t>(conv_.Convert(source_offsets_ ? (*source_offsets_)[b] : b)));
    span->set_end_offset(static_cast<int32_t>(conv_.Convert(source_offsets_ ? SourceEnd(b, e) : e)));
  }

 private:
  // The end of [b, e) in the HTML source: just past the source form of its last character, which
  // is either the character itself or a character reference (&eacute;).
  uint32_t SourceEnd(uint32_t b, uint32_t e) const {
    if (e == b) return (*source_offsets_)[b];
    uint32_t last = e - 1;
    while (last > b && (static_cast<unsigned char>(text_[last]) & 0xC0) == 0x80) --last;
    uint32_t src = (*source_offsets_)[last];
    if (src >= source_.size()) return static_cast<uint32_t>(source_.size());
    if (source_[src] == '&' && text_[last] != '&') {
      size_t semi = source_.substr(src, 40).find(';');  // bounded: the longest reference is 33 bytes
      if (semi != std::string_view::npos) return static_cast<uint32_t>(src + semi + 1);
    }
    unsigned char lead = static_cast<unsigned char>(source_[src]);
    uint32_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return std::min<uint32_t>(src + len, static_cast<uint32_t>(source_.size()));
  }

  std::string_view text_;
  std::string_view source_;
  const std::vector<uint32_t>* source_offsets_;
  text::OffsetConverter conv_;
};

}  // namespace

void ConvertOffsets(const DocumentText& text, v1::EncodingType encoding, v1::AnalyzeResponse* resp) {
  text::OffsetUnit unit = encoding == v1::UTF16   ? text::OffsetUnit::kUtf16CodeUnits
                          : encoding == v1::UTF32 ? text::OffsetUnit::kCodePoints
                                                  : text::OffsetUnit::kUtf8Bytes;
  if (unit == text::OffsetUnit::kUtf8Bytes && !text.html) return;  // already in the caller's units
  SpanConverter spans(text, unit);
  for (auto& s : *resp->mutable_sentences()) spans.Convert(s.mutable_text());
  for (auto& e : *resp->mutable_entities())
    for (auto& m : *e.mutable_mentions()) spans.Convert(m.mutable_text());
  if (resp->has_summary())
    for (auto& s : *resp->mutable_summary()->mutable_sentences()) spans.Convert(s.mutable_text());
  for (auto& a : *resp->mutable_annotations()) spans.Convert(a.mutable_text());
}

}  // namespace docanalysis
