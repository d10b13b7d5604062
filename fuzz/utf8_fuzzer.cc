// UTF-8 validation against a straightforward reference decoder (Unicode Table 3-7), and offset
// conversion of every boundary of a valid prefix into UTF-16 units and code points.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "service/text/utf8.h"

namespace {

// Length of the well-formed sequence at s[i], or 0.
size_t Reference(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100u; };
  unsigned c = b(i);
  auto in = [](unsigned x, unsigned lo, unsigned hi) { return x >= lo && x <= hi; };
  if (c < 0x80) return 1;
  if (in(c, 0xC2, 0xDF)) return in(b(i + 1), 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return in(b(i + 1), 0xA0, 0xBF) && in(b(i + 2), 0x80, 0xBF) ? 3 : 0;
  if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) return in(b(i + 1), 0x80, 0xBF) && in(b(i + 2), 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return in(b(i + 1), 0x80, 0x9F) && in(b(i + 2), 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return in(b(i + 1), 0x90, 0xBF) && in(b(i + 2), 0x80, 0xBF) && in(b(i + 3), 0x80, 0xBF) ? 4 : 0;
  if (in(c, 0xF1, 0xF3)) return in(b(i + 1), 0x80, 0xBF) && in(b(i + 2), 0x80, 0xBF) && in(b(i + 3), 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return in(b(i + 1), 0x80, 0x8F) && in(b(i + 2), 0x80, 0xBF) && in(b(i + 3), 0x80, 0xBF) ? 4 : 0;
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  size_t expected = std::string_view::npos;
  for (size_t i = 0; i < s.size();) {
    size_t n = Reference(s, i);
    if (n == 0) { expected = i; break; }
    i += n;
  }
  size_t got = text::FirstInvalidUtf8(s);
  FUZZ_CHECK(got == expected);
  FUZZ_CHECK(text::ValidateUtf8(s, "input").ok() == (expected == std::string_view::npos));

  std::string_view valid = s.substr(0, expected == std::string_view::npos ? s.size() : expected);
  text::OffsetConverter u16(valid, text::OffsetUnit::kUtf16CodeUnits);
  text::OffsetConverter cps(valid, text::OffsetUnit::kCodePoints);
  text::OffsetConverter u8(valid, text::OffsetUnit::kUtf8Bytes);
  int64_t units = 0, points = 0;
  for (size_t i = 0; i <= valid.size();) {
    FUZZ_CHECK(u16.Convert(i) == units);
    FUZZ_CHECK(cps.Convert(i) == points);
    FUZZ_CHECK(u8.Convert(i) == static_cast<int64_t>(i));
    if (i == valid.size()) break;
    size_t n = Reference(valid, i);
    units += n == 4 ? 2 : 1;
    points += 1;
    i += n;
  }
  return 0;
}
