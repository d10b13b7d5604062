#include "service/text/utf8.h"

#include <algorithm>
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
    // Two-byte sequences (Greek, Cyrillic, Hebrew, Arabic...) 8 bytes at a time: four lead bytes
    // 110xxxxx (not C0/C1, the overlongs) each followed by a continuation byte 10xxxxxx.
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, p + i, 8);
      if ((w & 0xC0E0C0E0C0E0C0E0ULL) != 0x80C080C080C080C0ULL) break;
      if (((w & 0x001E001E001E001EULL) + 0x7FFF7FFF7FFF7FFFULL & 0x8000800080008000ULL) != 0x8000800080008000ULL)
        break;
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
  for (size_t i = 0; i < text.size(); i += kBlock) {
    checkpoints_.push_back(units);
    units += Units(i, std::min(text.size() - i, kBlock));
  }
  checkpoints_.push_back(units);  // for offsets at text.size() on a block boundary
}

// Units of text_[begin, begin + n): one per byte that is not a continuation byte (10xxxxxx), and in
// UTF-16 one more per four-byte lead (11110xxx: a surrogate pair). Eight bytes at a time: shifting
// a word left by k moves bit 7 - k of each byte to bit 7 of the same byte.
int64_t OffsetConverter::Units(size_t begin, size_t n) const {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(text_.data()) + begin;
  const bool utf16 = unit_ == OffsetUnit::kUtf16CodeUnits;
  int64_t units = static_cast<int64_t>(n);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    if ((w & kHigh) == 0) continue;  // ASCII
    units -= __builtin_popcountll(w & ~(w << 1) & kHigh);
    if (utf16) units += __builtin_popcountll(w & (w << 1) & (w << 2) & (w << 3) & kHigh);
  }
  for (; i < n; ++i) {
    if ((p[i] & 0xC0) == 0x80) --units;
    else if (utf16 && p[i] >= 0xF0) ++units;
  }
  return units;
}

int64_t OffsetConverter::Convert(size_t byte_offset) const {
  if (unit_ == OffsetUnit::kUtf8Bytes) return static_cast<int64_t>(byte_offset);
  if (byte_offset > text_.size()) byte_offset = text_.size();
  size_t block = byte_offset / kBlock;
  return checkpoints_[block] + Units(block * kBlock, byte_offset - block * kBlock);
}

}  // namespace docanalysis::text
