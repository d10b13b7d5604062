// HTML reduction: any bytes that are valid UTF-8 (the edge rejects the rest) reduce without a
// crash, every text byte maps to an offset inside the source, offsets never go backwards, and
// the text is valid UTF-8.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "service/text/html.h"
#include "service/text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  std::string_view html(reinterpret_cast<const char*>(data), size);
  if (text::FirstInvalidUtf8(html) != std::string_view::npos) return -1;
  auto t = text::ExtractHtmlText(html);
  if (!t.ok()) return 0;
  FUZZ_CHECK(t->source_offsets.size() == t->text.size() + 1);
  FUZZ_CHECK(text::FirstInvalidUtf8(t->text) == std::string_view::npos);
  for (size_t i = 0; i < t->source_offsets.size(); ++i) FUZZ_CHECK(t->source_offsets[i] <= html.size());
  return 0;
}
