// The segmenter on any valid UTF-8: tokens are in order, non-empty, non-overlapping, on code point
// boundaries and free of whitespace at their edges; sentences partition the tokens in order.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  if (text::FirstInvalidUtf8(s) != std::string_view::npos) return -1;
  text::Segmentation seg = text::Segment(s);
  uint32_t last_end = 0;
  for (const auto& t : seg.tokens) {
    FUZZ_CHECK(t.begin < t.end);
    FUZZ_CHECK(t.end <= s.size());
    FUZZ_CHECK(t.begin >= last_end);
    FUZZ_CHECK(fuzz::IsBoundary(s, t.begin) && fuzz::IsBoundary(s, t.end));
    FUZZ_CHECK(s[t.begin] != ' ' && s[t.end - 1] != ' ');
    last_end = t.end;
  }
  uint32_t next_token = 0;
  for (const auto& sentence : seg.sentences) {
    FUZZ_CHECK(sentence.token_begin == next_token);
    FUZZ_CHECK(sentence.token_begin < sentence.token_end);
    FUZZ_CHECK(sentence.token_end <= seg.tokens.size());
    FUZZ_CHECK(sentence.begin == seg.tokens[sentence.token_begin].begin);
    FUZZ_CHECK(sentence.end == seg.tokens[sentence.token_end - 1].end);
    next_token = sentence.token_end;
  }
  FUZZ_CHECK(next_token == seg.tokens.size());
  return 0;
}
