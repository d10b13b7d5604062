// Small text helpers for the entity tagger: stable 64-bit hashing, ASCII/Latin-1 lowercasing,
// word shapes and capitalisation classes.
//
// Everything here is deterministic across runs and machines (no std::hash), because feature
// hashes are stored in the model file.
//
// THREADING: pure functions, safe to call concurrently.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_TEXT_UTIL_H_
#define DOCANALYSIS_PLUGINS_ENTITY_TEXT_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace docanalysis::entity {

// A strong 64-bit finaliser (splitmix64).
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Combines two hashes (order matters).
inline uint64_t Combine(uint64_t a, uint64_t b) { return Mix64(a * 0x100000001b3ULL ^ b); }

// FNV-1a over bytes, finalised with Mix64.
inline uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix64(h);
}

// Lowercases ASCII letters and the Latin-1 upper-case letters (U+00C0..U+00DE except U+00D7);
// other bytes are copied. Appends to `out`.
void AppendLower(std::string_view s, std::string& out);
std::string Lower(std::string_view s);

// Capitalisation class of a token.
enum class CapClass : uint8_t {
  kNoLetters = 0,  // "1996", ",", "--"
  kLower = 1,      // "house", "iPhone" (starts lower)
  kInitialCap = 2, // "House", "McDonald"
  kAllCaps = 3,    // "NATO", "U.S." (two or more letters, all upper)
  kMixed = 4,      // single upper letter "A", or other letters (non-Latin)
};
CapClass ClassifyCaps(std::string_view token);

// Word shape: upper -> X, lower -> x, digit -> d, other ASCII kept, other bytes of a
// multibyte letter -> x/X/o; truncated to `max_len` characters. Appends to `out`.
void AppendShape(std::string_view token, size_t max_len, std::string& out);
// Shape with runs of the same character class collapsed ("Xxxxx" -> "Xx").
void AppendShortShape(std::string_view token, size_t max_len, std::string& out);

// True if the token has at least one ASCII or Latin-1 letter.
bool HasLatinLetter(std::string_view token);
// True if every byte is an ASCII digit or one of , . - / : (e.g. "1,100", "1996-08-22").
bool IsNumeric(std::string_view token);

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_TEXT_UTIL_H_
