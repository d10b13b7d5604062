// Per-word atoms that the tagger and parser features are built from: hashes of the normalised form
// (ASCII lower case, digits folded to 0), the exact form, its shape, prefixes and suffixes.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_TEXT_ATOMS_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_TEXT_ATOMS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "weights.h"

namespace docanalysis::syntax {

struct WordAtoms {
  uint64_t norm = 0;   // lower case, digits as 0
  uint64_t exact = 0;  // as written
  uint64_t shape = 0;  // Xx, xx-xx, dd.dd ... (runs collapsed after two)
  uint64_t suf[4] = {0, 0, 0, 0};  // last 1..4 bytes of norm
  uint64_t pre[3] = {0, 0, 0};     // first 1..3 bytes of norm
  uint8_t flags = 0;               // kCapital | kDigit | kHyphen | kAllCaps
  uint64_t amb = 0;                // the word's ambiguity class (tags seen in training), 0 if unknown
};
enum : uint8_t { kCapital = 1, kDigit = 2, kHyphen = 4, kAllCaps = 8 };

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline std::string Normalize(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    else if (c >= '1' && c <= '9') c = '0';
  }
  return out;
}

inline WordAtoms MakeAtoms(std::string_view form) {
  WordAtoms a;
  std::string norm = Normalize(form);
  a.norm = HashStr(norm);
  a.exact = HashStr(form);
  std::string shape;
  char last = 0;
  int run = 0;
  bool any_lower = false, any_upper = false;
  for (unsigned char c : form) {
    char k = c >= 'A' && c <= 'Z' ? 'X' : c >= 'a' && c <= 'z' ? 'x' : c >= '0' && c <= '9' ? 'd' : c >= 0x80 ? 'u' : static_cast<char>(c);
    if (k == 'X') any_upper = true;
    if (k == 'x') any_lower = true;
    if (k == 'd') a.flags |= kDigit;
    if (c == '-') a.flags |= kHyphen;
    if (k == last) { if (++run > 2) continue; } else { run = 1; last = k; }
    if (c >= 0x80 && (c & 0xC0) == 0x80) continue;
    shape.push_back(k);
  }
  if (!form.empty() && form[0] >= 'A' && form[0] <= 'Z') a.flags |= kCapital;
  if (any_upper && !any_lower) a.flags |= kAllCaps;
  a.shape = HashStr(shape);
  for (size_t k = 1; k <= 4; ++k) a.suf[k - 1] = HashStr(std::string_view(norm).substr(norm.size() > k ? norm.size() - k : 0));
  for (size_t k = 1; k <= 3; ++k) a.pre[k - 1] = HashStr(std::string_view(norm).substr(0, k));
  return a;
}

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_TEXT_ATOMS_H_
