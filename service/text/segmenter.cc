#include "service/text/segmenter.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace docanalysis::text {
namespace {

// Words that take a period and never end a sentence by themselves (titles, months, initials-like).
const absl::flat_hash_set<std::string>& TitleAbbreviations() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "maj", "col", "lt", "capt",
      "sgt", "cpl", "pvt", "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "det",
      "insp", "messrs", "mme", "mlle", "fr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
      "sept", "oct", "nov", "dec", "no", "nos", "vs", "v", "fig", "figs", "vol", "pp", "p", "ch",
      "art", "sec", "approx", "ave", "blvd", "rd", "ft", "dept", "univ", "est", "e.g", "i.e", "cf",
      "al", "op", "ed", "eds", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"};
  return *set;
}

// Abbreviations that can end a sentence ("... Acme Inc. The next day").
const absl::flat_hash_set<std::string>& OtherAbbreviations() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "inc", "corp", "ltd", "co", "bros", "plc", "llc", "etc", "a.m", "p.m", "u.s", "u.k", "u.n",
      "e.u", "u.s.a", "d.c", "ph.d", "b.a", "m.a", "b.sc", "jan", "feb", "aug", "sept", "oct", "nov", "dec"};
  return *set;
}

// Title abbreviations that take their period even when written lower-case.
const absl::flat_hash_set<std::string>& LowercaseAbbreviations() {
  static const auto* set = new absl::flat_hash_set<std::string>{"vs", "e.g", "i.e", "cf", "approx", "pp", "figs", "eds"};
  return *set;
}

// Words that commonly start a sentence; after an abbreviation that can end a sentence ("U.S.")
// they signal a new sentence.
const absl::flat_hash_set<std::string>& SentenceStarters() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "but", "and", "in", "on", "at",
      "this", "that", "these", "those", "there", "his", "her", "its", "their", "our", "my", "as",
      "if", "when", "while", "after", "before", "however", "meanwhile", "also", "so", "yet", "for",
      "some", "many", "most", "all", "no", "not", "what", "who", "why", "how", "where", "officials",
      "still", "then", "now", "both", "one", "two", "three", "last", "earlier", "later", "since"};
  return *set;
}

struct Cursor {
  std::string_view s;
  size_t pos = 0;
};

inline UChar32 DecodeAt(std::string_view s, size_t i, size_t* next) {
  int32_t idx = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), idx, static_cast<int32_t>(s.size()), c);
  *next = static_cast<size_t>(idx);
  return c < 0 ? 0xFFFD : c;
}

inline UChar32 PeekAt(std::string_view s, size_t i) {
  if (i >= s.size()) return -1;
  size_t next;
  return DecodeAt(s, i, &next);
}

// The character classes below answer ASCII (most of the text) without a call into ICU; the
// answers are ICU's (ASCII White_Space is TAB..CR and SPACE; its letters and digits are A-Z, a-z, 0-9).
inline bool IsSpace(UChar32 c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return u_isUWhiteSpace(c);
}
inline bool IsLetter(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK);
}
inline bool IsDigit(UChar32 c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return u_isdigit(c);
}
inline bool IsAlnum(UChar32 c) { return IsLetter(c) || IsDigit(c); }
inline bool IsAsciiAlnum(UChar32 c) { return c < 128 && c >= 0 && absl::ascii_isalnum(static_cast<char>(c)); }

// Scripts written without spaces: one token per character.
// Symbols (currency, math, modifier, other; and % & @ #) and punctuation, as ICU classes them; ASCII
// from a table made once from ICU's own answers.
bool IsSymbolSlow(UChar32 c) {
  int8_t type = u_charType(c);
  return type == U_CURRENCY_SYMBOL || type == U_MATH_SYMBOL || type == U_MODIFIER_SYMBOL || type == U_OTHER_SYMBOL ||
         c == '%' || c == '&' || c == '@' || c == '#';
}
struct AsciiClasses {
  AsciiClasses() {
    for (UChar32 c = 0; c < 0x80; ++c) symbol[c] = IsSymbolSlow(c), punct[c] = u_ispunct(c);
  }
  bool symbol[0x80], punct[0x80];
};
const AsciiClasses& Ascii() {
  static const AsciiClasses classes;
  return classes;
}
inline bool IsSymbol(UChar32 c) { return c >= 0 && c < 0x80 ? Ascii().symbol[c] : IsSymbolSlow(c); }
inline bool IsPunct(UChar32 c) { return c >= 0 && c < 0x80 ? Ascii().punct[c] : static_cast<bool>(u_ispunct(c)); }

inline bool IsIdeographic(UChar32 c) {
  if (c < 0x80) return false;  // no ASCII character breaks lines like an ideograph
  int lb = u_getIntPropertyValue(c, UCHAR_LINE_BREAK);
  return lb == U_LB_IDEOGRAPHIC || lb == U_LB_CONDITIONAL_JAPANESE_STARTER;
}

inline bool IsEmojiStart(UChar32 c) {
  if (c < 0x80) return false;
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) || u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR);
}

inline bool IsEmojiModifier(UChar32 c) {
  return c == 0xFE0F || c == 0xFE0E || c == 0x20E3 || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F);
}

bool StartsWithCi(std::string_view s, size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k)
    if (absl::ascii_tolower(static_cast<unsigned char>(s[i + k])) != prefix[k]) return false;
  return true;
}

inline bool IsUrlChar(char c) { return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' || c == '"'); }

// URL at i: scheme:// or www., up to whitespace, without trailing punctuation. Returns its end or i.
size_t ScanUrl(std::string_view s, size_t i) {
  size_t j = i;
  if (StartsWithCi(s, i, "https://")) j += 8;
  else if (StartsWithCi(s, i, "http://")) j += 7;
  else if (StartsWithCi(s, i, "ftp://")) j += 6;
  else if (StartsWithCi(s, i, "www.") && i + 4 < s.size() && IsAsciiAlnum(s[i + 4])) j += 4;
  else return i;
  size_t body = j;
  size_t opens = 0, closes = 0;  // brackets in s[body, j), counted in the same forward pass
  while (j < s.size() && IsUrlChar(s[j]) && static_cast<unsigned char>(s[j]) < 0x80) {
    opens += s[j] == '(';
    closes += s[j] == ')';
    ++j;
  }
  auto trailing = [](char c) { return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
                                      c == ')' || c == ']' || c == '\'' || c == '}'; };
  // Strip trailing punctuation, one character per step (linear: no recount per step).
  while (j > body && trailing(s[j - 1])) {
    if (s[j - 1] == ')') {
      // Keep a closing bracket that closes one opened inside the URL.
      if (opens > closes - 1) break;
      --closes;
    }
    --j;
  }
  return j > body ? j : i;
}

inline bool IsEmailLocalChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// E-mail address starting at i. Returns its end or i. `*fail_until` makes repeated calls linear:
// when a scan from i fails, every start inside the same run of local-part characters fails the
// same way (the run, the '@' and the domain after it are the same), so those starts return at once.
size_t ScanEmail(std::string_view s, size_t i, size_t* fail_until) {
  if (i < *fail_until) return i;
  size_t j = i;
  while (j < s.size() && IsEmailLocalChar(s[j])) ++j;
  *fail_until = j;
  if (j == i || j >= s.size() || s[j] != '@' || s[i] == '.') return i;
  size_t at = j++;
  size_t last_dot = 0;
  while (j < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-' ||
                          (s[j] == '.' && j + 1 < s.size() && absl::ascii_isalnum(static_cast<unsigned char>(s[j + 1]))))) {
    if (s[j] == '.') last_dot = j;
    ++j;
  }
  if (last_dot <= at + 1 || j - last_dot < 3) return i;  // needs a dot and a TLD of 2+ letters
  *fail_until = 0;
  return j;
}

bool IsClosingPunct(std::string_view t) {
  return t == "\"" || t == "'" || t == ")" || t == "]" || t == "}" || t == "\xE2\x80\x9D" /* ” */ ||
         t == "\xE2\x80\x99" /* ’ */ || t == "\xC2\xBB" /* » */ || t == "''";
}

bool IsTerminal(std::string_view t) {
  if (t.empty()) return false;
  if (t == "\xE2\x80\xA6") return true;  // …
  for (char c : t)
    if (c != '.' && c != '!' && c != '?') return false;
  return true;
}

std::string Lower(std::string_view t) {
  std::string out(t);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

class Segmenter {
 public:

  Segmenter(std::string_view text, CancelCheck* cancel) : s_(text), cancel_(cancel) {}

  // False when cancelled part-way.
  bool Run(Segmentation* out) {
    if (!Tokenize() || !SplitSentences()) return false;
    *out = std::move(out_);
    return true;
  }

 private:
  static constexpr size_t kMaxSentenceTokens = 1000;
  static constexpr int kMaxClosingLookBack = 8;

  void Emit(size_t begin, size_t end, uint32_t kind, uint32_t flags) {
    out_.tokens.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end), kind, flags});
    newlines_.push_back(pending_newlines_);
    pending_newlines_ = 0;
  }

  // Word or number at i (i starts an alphanumeric character).
  void ScanWord(size_t i, uint32_t flags) {
    size_t j = i, next;
    bool letters = false, digits = false;
    UChar32 first = PeekAt(s_, i);
    if (IsIdeographic(first)) {
      DecodeAt(s_, i, &next);
      // Keep trailing combining marks with the character.
      while (next < s_.size() && (U_GET_GC_MASK(PeekAt(s_, next)) & U_GC_M_MASK)) DecodeAt(s_, next, &next);
      Emit(i, next, DOCANALYSIS_TOKEN_WORD, flags);
      return;
    }
    size_t segment_start = i;  // start of the current alphanumeric run, for "U.S." style chains
    bool dotted = false;       // saw an internal '.' between letters
    while (j < s_.size()) {
      UChar32 c = DecodeAt(s_, j, &next);
      if (IsAlnum(c) && !IsIdeographic(c)) {
        letters |= IsLetter(c);
        digits |= IsDigit(c);
        j = next;
        continue;
      }
      // Internal joiners: only when an alphanumeric follows.
      UChar32 after = PeekAt(s_, next);
      bool alnum_after = after >= 0 && IsAlnum(after) && !IsIdeographic(after);
      UChar32 before = PeekAt(s_, PrevStart(j));
      if (alnum_after) {
        if (c == '-' || c == 0x2011 /* non-breaking hyphen */) { j = next; segment_start = j; continue; }
        if ((c == '\'' || c == 0x2019) && IsLetter(before) && IsLetter(after)) { j = next; continue; }
        if (c == '&' && before >= 'A' && before <= 'Z' && after >= 'A' && after <= 'Z' && j - i <= 3) { j = next; continue; }
        if ((c == '.' || c == ',' || c == ':') && IsDigit(before) && IsDigit(after) && !letters) {
          if (c == ',' && !ThreeDigitGroup(next)) break;
          j = next;
          continue;
        }
        // U.S, e.g, Ph.D: single letters (or short runs) joined by dots.
        if (c == '.' && IsLetter(before) && IsLetter(after) && j - segment_start <= 2 && RunLength(next) <= 2) {
          dotted = true;
          j = next;
          segment_start = j;
          continue;
        }
      }
      break;
    }
    uint32_t kind = (digits && !letters) ? DOCANALYSIS_TOKEN_NUMBER : DOCANALYSIS_TOKEN_WORD;
    // A period that belongs to the word: dotted chains, known abbreviations, single-letter initials.
    if (kind == DOCANALYSIS_TOKEN_WORD && j < s_.size() && s_[j] == '.' && !(j + 1 < s_.size() && s_[j + 1] == '.')) {
      std::string lower = Lower(s_.substr(i, j - i));
      size_t letters_count = CountCodePoints(i, j);
      bool initial = letters_count == 1 && u_isupper(first);
      // Title words that are also ordinary words ("no", "sun") count only when capitalised.
      bool title = TitleAbbreviations().contains(lower) && (u_isupper(first) || LowercaseAbbreviations().contains(lower));
      if (dotted || initial || title || OtherAbbreviations().contains(lower)) {
        Emit(i, j + 1, kind, flags | DOCANALYSIS_TOKEN_ABBREVIATION);
        return;
      }
    }
    Emit(i, j, kind, flags);
  }

  bool ThreeDigitGroup(size_t k) const {
    for (size_t m = 0; m < 3; ++m)
      if (k + m >= s_.size() || !absl::ascii_isdigit(static_cast<unsigned char>(s_[k + m]))) return false;
    return k + 3 >= s_.size() || !absl::ascii_isdigit(static_cast<unsigned char>(s_[k + 3]));
  }

  // Letters at k, counted up to `limit` (bounded look-ahead).
  size_t RunLength(size_t k, size_t limit = 3) const {
    size_t n = 0, next;
    while (n < limit && k < s_.size() && IsLetter(DecodeAt(s_, k, &next))) { ++n; k = next; }
    return n;
  }

  size_t CountCodePoints(size_t b, size_t e) const {
    size_t n = 0;
    for (size_t k = b; k < e; ++k)
      if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) ++n;
    return n;
  }

  size_t PrevStart(size_t j) const {
    if (j == 0) return s_.size();  // PeekAt returns -1
    size_t k = j - 1;
    while (k > 0 && (static_cast<unsigned char>(s_[k]) & 0xC0) == 0x80) --k;
    return k;
  }

  bool Tokenize() {
    size_t i = 0, next;
    uint32_t flags = DOCANALYSIS_TOKEN_SPACE_BEFORE;
    while (i < s_.size()) {
      if (cancel_->Poll()) return false;
      UChar32 c = DecodeAt(s_, i, &next);
      if (IsSpace(c)) {
        flags |= DOCANALYSIS_TOKEN_SPACE_BEFORE;
        if (c == '\n' || c == 0x2029 || c == 0x2028) {
          flags |= DOCANALYSIS_TOKEN_NEWLINE_BEFORE;
          ++pending_newlines_;
        }
        i = next;
        continue;
      }
      if (c < 0x80 && absl::ascii_isalpha(static_cast<char>(c))) {
        size_t e = ScanUrl(s_, i);
        if (e > i) { Emit(i, e, DOCANALYSIS_TOKEN_URL, flags); i = e; flags = 0; continue; }
      }
      if (c < 0x80 && IsEmailLocalChar(static_cast<char>(c)) && c != '.') {
        size_t e = ScanEmail(s_, i, &email_fail_until_);
        if (e > i) { Emit(i, e, DOCANALYSIS_TOKEN_EMAIL, flags); i = e; flags = 0; continue; }
      }
      if (IsAlnum(c)) {
        ScanWord(i, flags);
        i = out_.tokens.back().end;
      } else if (IsEmojiStart(c)) {
        size_t e = next;
        bool regional = u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR);
        if (regional && u_hasBinaryProperty(PeekAt(s_, e), UCHAR_REGIONAL_INDICATOR)) DecodeAt(s_, e, &e);
        while (e < s_.size()) {
          UChar32 m = PeekAt(s_, e);
          if (IsEmojiModifier(m)) { DecodeAt(s_, e, &e); continue; }
          if (m == 0x200D) {  // zero-width joiner: glue the next pictograph
            size_t after;
            DecodeAt(s_, e, &after);
            if (IsEmojiStart(PeekAt(s_, after))) { DecodeAt(s_, after, &e); continue; }
          }
          break;
        }
        Emit(i, e, DOCANALYSIS_TOKEN_EMOJI, flags);
        i = e;
      } else {
        const bool symbol = IsSymbol(c);
        size_t e = next;
        if (c == '.' || c == '!' || c == '?' || c == '-' || c == '*' || c == '=' || c == '_' || c == '`' || c == '\'') {
          // Runs of the same mark (..., !!, --), and mixed ?! runs.
          while (e < s_.size() && (s_[e] == static_cast<char>(c) || ((c == '!' || c == '?') && (s_[e] == '!' || s_[e] == '?')))) ++e;
        }
        uint32_t kind = symbol ? DOCANALYSIS_TOKEN_SYMBOL : (IsPunct(c) ? DOCANALYSIS_TOKEN_PUNCT : DOCANALYSIS_TOKEN_OTHER);
        // Emoticons such as :) :-( ;D <3 are symbols of their own, kept whole for sentiment.
        size_t emo = ScanEmoticon(i);
        if (emo > i) { e = emo; kind = DOCANALYSIS_TOKEN_SYMBOL; }
        Emit(i, e, kind, flags);
        i = e;
      }
      flags = 0;
    }
    return true;
  }

  // A few ASCII emoticons, only when followed by space or end: ":)", ":-(", ";)", ":D", ":P", "<3", ":'(".
  size_t ScanEmoticon(size_t i) const {
    const char c = s_[i];
    if (c != ':' && c != ';' && c != '<' && c != '=') return i;  // how every emoticon below starts
    static constexpr std::array<std::string_view, 18> kEmoticons = {
        ":-)", ":-(", ":-D", ":-P", ":')", ":'(", ";-)", ":)", ":(", ":D", ":P", ":p", ";)", "<3", ":/", ":|", "=)", "</3"};
    for (std::string_view e : kEmoticons) {
      if (s_.compare(i, e.size(), e) == 0) {
        size_t end = i + e.size();
        if (end == s_.size() || s_[end] == ' ' || s_[end] == '\n' || s_[end] == '\t' || s_[end] == '.' || s_[end] == ',' ||
            s_[end] == '!')
          return end;
      }
    }
    return i;
  }

  std::string_view Text(const docanalysis_token& t) const { return s_.substr(t.begin, t.end - t.begin); }

  bool StartsLower(const docanalysis_token& t) const {
    return t.kind == DOCANALYSIS_TOKEN_WORD && u_islower(PeekAt(s_, t.begin));
  }
  bool StartsUpperOrDigit(const docanalysis_token& t) const {
    UChar32 c = PeekAt(s_, t.begin);
    return u_isupper(c) || u_istitle(c) || u_isdigit(c);
  }

  // Whether a sentence ends between tokens k and k+1 (k+1 exists).
  bool BreakAfter(size_t k) const {
    const auto& toks = out_.tokens;
    const docanalysis_token& t = toks[k];
    const docanalysis_token& n = toks[k + 1];
    if (newlines_[k + 1] >= 2) return true;
    std::string_view tt = Text(t);
    if (n.flags & DOCANALYSIS_TOKEN_NEWLINE_BEFORE) {
      // A single line break ends a sentence unless the next line continues it (hard-wrapped text).
      if (StartsLower(n) && !IsTerminal(tt)) return false;
      return true;
    }
    if (!(n.flags & DOCANALYSIS_TOKEN_SPACE_BEFORE)) return false;
    // Find the terminal mark, skipping closing quotes/brackets glued to it: `"illegal." He`. The
    // look-back is bounded, so a run of closing brackets costs linear time.
    size_t m = k;
    for (int steps = 0; steps < kMaxClosingLookBack && m > 0 && IsClosingPunct(Text(toks[m])) &&
                        !(toks[m].flags & DOCANALYSIS_TOKEN_SPACE_BEFORE);
         ++steps)
      --m;
    std::string_view mark = Text(toks[m]);
    if (IsTerminal(mark)) {
      if (StartsLower(n)) return false;  // "... and so on. then" is rare; "e.g. ... wait..." common
      return true;
    }
    if (toks[m].flags & DOCANALYSIS_TOKEN_ABBREVIATION && m == k) {
      std::string lower = Lower(tt.substr(0, tt.size() - 1));
      if (TitleAbbreviations().contains(lower) && !OtherAbbreviations().contains(lower)) return false;
      if (tt.size() == 2) return false;  // an initial: "Kurt M. Campbell"
      if (!StartsUpperOrDigit(n)) return false;
      return SentenceStarters().contains(Lower(Text(n)));
    }
    return false;
  }

  bool SplitSentences() {
    auto& toks = out_.tokens;
    if (toks.empty()) return true;
    uint32_t paragraph = 0;
    size_t start = 0;
    for (size_t k = 0; k < toks.size(); ++k) {
      if (cancel_->Poll()) return false;
      bool last = k + 1 == toks.size();
      bool brk = last || BreakAfter(k) || (k + 1 - start) >= kMaxSentenceTokens;
      if (!brk) continue;
      out_.sentences.push_back({toks[start].begin, toks[k].end, static_cast<uint32_t>(start),
                                static_cast<uint32_t>(k + 1), paragraph});
      if (!last && newlines_[k + 1] >= 2) ++paragraph;
      start = k + 1;
    }
    return true;
  }

  std::string_view s_;
  Segmentation out_;
  std::vector<uint32_t> newlines_;  // line breaks in the gap before each token
  uint32_t pending_newlines_ = 0;
  size_t email_fail_until_ = 0;
  CancelCheck* cancel_;
};

}  // namespace

Segmentation Segment(std::string_view text) {
  CancelCheck never;
  Segmentation out;
  Segmenter(text, &never).Run(&out);
  return out;
}

bool Segment(std::string_view text, CancelCheck* cancel, Segmentation* out) { return Segmenter(text, cancel).Run(out); }

}  // namespace docanalysis::text
