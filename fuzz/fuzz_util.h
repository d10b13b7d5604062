// Helpers shared by the fuzz targets: the sanity checks every target asserts on its outputs.
#ifndef DOCANALYSIS_FUZZ_FUZZ_UTIL_H_
#define DOCANALYSIS_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

// Like assert, but also in release builds: a broken invariant is a finding.
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

namespace docanalysis::fuzz {

// Inputs are capped so that each execution stays fast (the linear-time property is tested by
// tests/hardening; fuzzing looks for crashes and broken invariants).
inline constexpr size_t kMaxInput = 64 << 10;

inline bool IsBoundary(std::string_view s, size_t i) {
  return i == 0 || i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

}  // namespace docanalysis::fuzz

#endif  // DOCANALYSIS_FUZZ_FUZZ_UTIL_H_
