// UTF-8 helpers of the text pipeline: validation that names the first bad byte, and conversion of
// byte offsets into UTF-16 code units or code points.
//
// THREADING: ValidateUtf8 is pure. An OffsetConverter is immutable after construction and may be
// shared between threads. LIFETIME: it keeps a view of the text, which must outlive it.
#ifndef DOCANALYSIS_SERVICE_TEXT_UTF8_H_
#define DOCANALYSIS_SERVICE_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace docanalysis::text {

// Returns the byte offset of the first byte that is not part of a well-formed UTF-8 sequence
// (overlongs, surrogates and code points above U+10FFFF are ill-formed), or npos if `s` is valid.
size_t FirstInvalidUtf8(std::string_view s);

// At most `max_bytes` of `s`, cut at a code point boundary (never inside a sequence), then with each
// ill-formed sequence (a byte that cannot start one, with the continuation bytes after it) replaced
// by U+FFFD. For strings that come from plugins: a response must hold only valid UTF-8. Linear.
std::string ValidUtf8Prefix(std::string_view s, size_t max_bytes);

// OK, or INVALID_ARGUMENT "<what> is not valid UTF-8: bad byte 0xFF at byte offset 10".
absl::Status ValidateUtf8(std::string_view s, std::string_view what);

enum class OffsetUnit { kUtf8Bytes, kUtf16CodeUnits, kCodePoints };

// Converts byte offsets of a UTF-8 text into another unit in O(1) amortised per call, using a
// checkpoint every 64 bytes (memory: text size / 8 bytes). Offsets must fall on code point
// boundaries (every offset the pipeline and the plugins produce does).
//
//   OffsetConverter conv(text, OffsetUnit::kUtf16CodeUnits);
//   int32_t begin = conv.Convert(byte_begin);
class OffsetConverter {
 public:
  OffsetConverter(std::string_view text, OffsetUnit unit);
  int64_t Convert(size_t byte_offset) const;

 private:
  static constexpr size_t kBlock = 64;
  int64_t Units(size_t begin, size_t n) const;

  std::string_view text_;
  OffsetUnit unit_;
  std::vector<int64_t> checkpoints_;  // units of the code points starting before i * kBlock
};

}  // namespace docanalysis::text

#endif  // DOCANALYSIS_SERVICE_TEXT_UTF8_H_
