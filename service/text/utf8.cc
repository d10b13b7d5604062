#include "service/text/utf8.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_format.h"

namespace docanalysis::text {

size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlongs
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
    } else {
      return i;
    }
    if (i + 1 >= n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

absl::Status ValidateUtf8(std::string_view s, std::string_view what) {
  size_t bad = FirstInvalidUtf8(s);
  if (bad == std::string_view::npos) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s is not valid UTF-8: bad byte 0x%02X at byte offset %d; send UTF-8 text", what,
      static_cast<unsigned char>(s[bad]), bad));
}

std::string ValidUtf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() > max_bytes) {
    size_t cut = max_bytes;
    // Back off over continuation bytes to the start of the sequence the cut falls in (at most 3).
    for (int k = 0; k < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; ++k) --cut;
    s = s.substr(0, cut);
  }
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = FirstInvalidUtf8(s.substr(i));
    if (bad == std::string_view::npos) {
      out.append(s.data() + i, s.size() - i);
      break;
    }
    out.append(s.data() + i, bad);
    out.append("\xEF\xBF\xBD");
    i += bad + 1;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

OffsetConverter::OffsetConverter(std::string_view text, OffsetUnit unit) : text_(text), unit_(unit) {
  if (unit_ == OffsetUnit::kUtf8Bytes) return;
  checkpoints_.reserve(text.size() / kBlock + 2);
  int64_t units = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i % kBlock == 0) checkpoints_.push_back(units);
    units += Units(static_cast<unsigned char>(text[i]));
  }
  checkpoints_.push_back(units);  // for offsets at text.size() on a block boundary
}

int64_t OffsetConverter::Units(unsigned char b) const {
  if ((b & 0xC0) == 0x80) return 0;  // continuation byte
  if (unit_ == OffsetUnit::kUtf16CodeUnits && b >= 0xF0) return 2;
  return 1;
}

int64_t OffsetConverter::Convert(size_t byte_offset) const {
  if (unit_ == OffsetUnit::kUtf8Bytes) return static_cast<int64_t>(byte_offset);
  if (byte_offset > text_.size()) byte_offset = text_.size();
  size_t block = byte_offset / kBlock;
  int64_t units = checkpoints_[block];
  for (size_t i = block * kBlock; i < byte_offset; ++i) units += Units(static_cast<unsigned char>(text_[i]));
  return units;
}

}  // namespace docanalysis::text
