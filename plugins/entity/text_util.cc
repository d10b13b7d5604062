#include "text_util.h"

namespace docanalysis::entity {
namespace {

// Classifies one code point starting at s[i]; sets `len` to its byte length.
// Returns 'X' upper letter, 'x' lower letter, 'd' digit, 'p' ASCII punctuation/symbol, ' ' space,
// 'o' other (non-Latin letters, symbols).
char CharClass(std::string_view s, size_t i, size_t& len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    len = 1;
    if (c >= 'A' && c <= 'Z') return 'X';
    if (c >= 'a' && c <= 'z') return 'x';
    if (c >= '0' && c <= '9') return 'd';
    if (c <= ' ') return ' ';
    return 'p';
  }
  len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
  if (i + len > s.size()) len = s.size() - i;
  if (c == 0xC3 && len == 2) {
    unsigned char d = static_cast<unsigned char>(s[i + 1]);
    if (d >= 0x80 && d <= 0x9E && d != 0x97) return 'X';
    if (d >= 0x9F && d <= 0xBF && d != 0xB7) return 'x';
  }
  if ((c == 0xC4 || c == 0xC5) && len == 2) {  // Latin Extended-A: even = upper, odd = lower
    unsigned char d = static_cast<unsigned char>(s[i + 1]);
    return (d & 1) ? 'x' : 'X';
  }
  return 'o';
}

}  // namespace

void AppendLower(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c + 32));
    } else if (c == 0xC3 && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      out.push_back(static_cast<char>(c));
      out.push_back(static_cast<char>((d >= 0x80 && d <= 0x9E && d != 0x97) ? d + 0x20 : d));
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

std::string Lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendLower(s, out);
  return out;
}

CapClass ClassifyCaps(std::string_view token) {
  int upper = 0, lower = 0, other = 0;
  bool first_upper = false, first_seen = false;
  for (size_t i = 0, len = 1; i < token.size(); i += len) {
    char k = CharClass(token, i, len);
    if (k == 'X') {
      if (!first_seen) first_upper = true;
      first_seen = true;
      ++upper;
    } else if (k == 'x') {
      first_seen = true;
      ++lower;
    } else if (k == 'o') {
      ++other;
    }
  }
  if (upper + lower == 0) return other > 0 ? CapClass::kMixed : CapClass::kNoLetters;
  if (!first_upper) return CapClass::kLower;
  if (lower == 0) return upper >= 2 ? CapClass::kAllCaps : CapClass::kMixed;
  return CapClass::kInitialCap;
}

void AppendShape(std::string_view token, size_t max_len, std::string& out) {
  size_t n = 0;
  for (size_t i = 0, len = 1; i < token.size() && n < max_len; i += len, ++n) {
    char k = CharClass(token, i, len);
    out.push_back(k == 'p' ? token[i] : k);
  }
}

void AppendShortShape(std::string_view token, size_t max_len, std::string& out) {
  size_t n = 0;
  char last = 0;
  for (size_t i = 0, len = 1; i < token.size() && n < max_len; i += len) {
    char k = CharClass(token, i, len);
    char c = k == 'p' ? token[i] : k;
    if (c != last) {
      out.push_back(c);
      ++n;
      last = c;
    }
  }
}

bool HasLatinLetter(std::string_view token) {
  for (size_t i = 0, len = 1; i < token.size(); i += len) {
    char k = CharClass(token, i, len);
    if (k == 'X' || k == 'x') return true;
  }
  return false;
}

bool IsNumeric(std::string_view token) {
  bool digit = false;
  for (char c : token) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != ',' && c != '.' && c != '-' && c != '/' && c != ':') {
      return false;
    }
  }
  return digit;
}

}  // namespace docanalysis::entity
