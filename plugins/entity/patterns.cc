#include "patterns.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "text_util.h"

namespace docanalysis::entity {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The lists are string_views (lengths known at compile time), so a comparison costs no strlen.
bool OneOf(std::string_view lw, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (lw.size() == w.size() && lw == w) return true;
  return false;
}

bool IsNumberToken(std::string_view t) {
  if (t.empty() || !IsDigit(t[0]) || !IsDigit(t.back())) return false;
  for (char c : t)
    if (!IsDigit(c) && c != ',' && c != '.') return false;
  return true;
}

bool IsScaleWord(std::string_view lw) {
  return OneOf(lw, {"hundred", "thousand", "million", "billion", "trillion", "mln", "bln", "bn", "m", "k"});
}

bool IsCurrencySymbol(std::string_view t) {
  return t == "$" || t == "\xE2\x82\xAC" /* € */ || t == "\xC2\xA3" /* £ */ || t == "\xC2\xA5" /* ¥ */ ||
         t == "US$" || t == "C$" || t == "A$" || t == "HK$" || t == "NZ$" || t == "S$";
}

bool IsCurrencyCode(std::string_view t) {
  return OneOf(t, {"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "DM", "DEM", "FFR", "RUB"});
}

bool IsCurrencyWord(std::string_view lw) {
  return OneOf(lw, {"dollar", "dollars", "euro", "euros", "pound", "pounds", "sterling", "yen", "franc",
                    "francs", "mark", "marks", "cent", "cents", "rupee", "rupees", "yuan", "rand", "peso",
                    "pesos", "rouble", "roubles", "ruble", "rubles", "lira", "lire", "guilders", "crowns",
                    "pence", "won", "baht", "ringgit", "shekels", "dinars", "riyals", "naira"});
}

int MonthOf(std::string_view lw) {
  static constexpr std::string_view kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                  "july",    "august",   "september", "october", "november", "december"};
  static constexpr std::string_view kAbbrev[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string_view base = lw;
  if (!base.empty() && base.back() == '.') base.remove_suffix(1);
  for (int m = 0; m < 12; ++m) {
    if (lw == kMonths[m]) return m + 1;
    if (base == kAbbrev[m] && (lw.size() > base.size() || m == 4)) return m + 1;  // "Jan." (not bare "jan")
  }
  if (lw == "sept.") return 9;
  return 0;
}

bool IsWeekday(std::string_view lw) {
  return OneOf(lw, {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"});
}

int SmallInt(std::string_view t, int max) {
  if (t.empty() || t.size() > 2) return -1;
  int v = 0;
  for (char c : t) {
    if (!IsDigit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v >= 1 && v <= max ? v : -1;
}

bool IsYear(std::string_view t) {
  if (t.size() != 4) return false;
  for (char c : t)
    if (!IsDigit(c)) return false;
  return t[0] == '1' || t[0] == '2';
}

// Day with an optional ordinal suffix: "22", "22nd", "1st".
bool IsDay(std::string_view lw) {
  size_t d = 0;
  while (d < lw.size() && IsDigit(lw[d])) ++d;
  if (d == 0 || d > 2) return false;
  std::string_view suffix = lw.substr(d);
  if (!suffix.empty() && !OneOf(suffix, {"st", "nd", "rd", "th"})) return false;
  return SmallInt(lw.substr(0, d), 31) > 0;
}

struct Tok {
  std::string_view text;
  std::string lower;
  uint32_t begin, end, kind;
};

class Matcher {
 public:
  explicit Matcher(const DocView& doc) : doc_(doc) {
    toks_.reserve(doc.token_count);
    for (size_t i = 0; i < doc.token_count; ++i) {
      const docanalysis_token& t = doc.tokens[i];
      std::string_view s = doc.text.substr(t.begin, t.end - t.begin);
      toks_.push_back({s, s.size() <= 32 ? Lower(s) : std::string(), t.begin, t.end, t.kind});
    }
    taken_.assign(toks_.size(), 0);
  }

  void Run(std::vector<PatternMention>* out) {
    Emails();
    Urls();
    Phones();
    Money();
    Percents();
    Dates();
    Numbers();
    std::sort(found_.begin(), found_.end(),
              [](const PatternMention& a, const PatternMention& b) { return a.begin < b.begin; });
    out->insert(out->end(), found_.begin(), found_.end());
  }

 private:
  size_t n() const { return toks_.size(); }
  const std::string& L(size_t i) const { return toks_[i].lower; }
  std::string_view T(size_t i) const { return toks_[i].text; }
  // Whether tokens i and i+1 are adjacent (no whitespace between).
  bool Glued(size_t i) const { return toks_[i].end == toks_[i + 1].begin; }

  bool Free(size_t b, size_t e) const {
    for (size_t k = b; k < e; ++k)
      if (taken_[k]) return false;
    return true;
  }
  void Take(size_t b, size_t e, int32_t type, float confidence) {
    if (b >= e || !Free(b, e)) return;
    for (size_t k = b; k < e; ++k) taken_[k] = 1;
    found_.push_back({toks_[b].begin, toks_[e - 1].end, type, confidence});
  }
  // Token index starting exactly at byte `pos`, or n().
  size_t TokenAt(uint32_t pos) const {
    auto it = std::lower_bound(toks_.begin(), toks_.end(), pos, [](const Tok& t, uint32_t p) { return t.begin < p; });
    return (it != toks_.end() && it->begin == pos) ? static_cast<size_t>(it - toks_.begin()) : n();
  }
  // Token index ending exactly at byte `pos`, or n().
  size_t TokenEndingAt(uint32_t pos) const {
    auto it = std::lower_bound(toks_.begin(), toks_.end(), pos, [](const Tok& t, uint32_t p) { return t.end < p; });
    return (it != toks_.end() && it->end == pos) ? static_cast<size_t>(it - toks_.begin()) : n();
  }
  void TakeBytes(uint32_t b, uint32_t e, int32_t type, float confidence) {
    size_t tb = TokenAt(b), te = TokenEndingAt(e);
    if (tb < n() && te < n() && tb <= te) Take(tb, te + 1, type, confidence);
  }

  void Emails() {
    for (size_t i = 0; i < n(); ++i) {
      std::string_view t = T(i);
      size_t at = t.find('@');
      bool ok = toks_[i].kind == DOCANALYSIS_TOKEN_EMAIL ||
                (at != std::string_view::npos && at > 0 && t.find('.', at) != std::string_view::npos &&
                 t.find('.', at) + 1 < t.size() && t.find('.', at) > at + 1);
      if (ok) Take(i, i + 1, DOCANALYSIS_ENTITY_EMAIL, 0.99f);
    }
  }

  void Urls() {
    for (size_t i = 0; i < n(); ++i) {
      const std::string& lw = L(i);
      bool ok = toks_[i].kind == DOCANALYSIS_TOKEN_URL || lw.rfind("http://", 0) == 0 || lw.rfind("https://", 0) == 0 ||
                (lw.rfind("www.", 0) == 0 && lw.size() > 6);
      if (ok) Take(i, i + 1, DOCANALYSIS_ENTITY_URL, 0.99f);
    }
  }

  // Phone numbers by a character scan: "+44 20 7946 0958", "(202) 555-0100", "202-555-0100",
  // "202.555.0100".
  void Phones() {
    std::string_view s = doc_.text;
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      bool start = (c == '+' || c == '(' || IsDigit(c)) && (i == 0 || !IsAlnum(s[i - 1]));
      if (!start) {
        ++i;
        continue;
      }
      // Collect groups of digits and the separators between them.
      size_t j = i;
      bool plus = false, paren = false;
      if (s[j] == '+') {
        plus = true;
        ++j;
      }
      std::vector<int> groups;
      std::string seps;
      while (j < s.size()) {
        bool open = s[j] == '(';
        if (open) ++j;
        size_t d = j;
        while (j < s.size() && IsDigit(s[j])) ++j;
        if (j == d) break;
        if (open) {
          if (j >= s.size() || s[j] != ')') break;
          ++j;
          paren = true;
        }
        groups.push_back(static_cast<int>(j - d));
        if (j + 1 < s.size() && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (IsDigit(s[j + 1]) || s[j + 1] == '(')) {
          seps.push_back(s[j]);
          ++j;
        } else if (open && j < s.size() && IsDigit(s[j])) {
          seps.push_back(')');
        } else {
          break;
        }
      }
      int digits = 0;
      for (int g : groups) digits += g;
      bool alnum_after = j < s.size() && IsAlnum(s[j]);
      bool north_american = groups.size() == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4 &&
                            seps.size() == 2 && seps[0] == seps[1] && seps[0] != ' ';
      bool ok = !alnum_after && groups.size() >= 2 && digits >= 7 && digits <= 15 &&
                ((plus && digits >= 8) || (paren && groups.size() >= 3) || north_american);
      if (ok) {
        TakeBytes(static_cast<uint32_t>(i), static_cast<uint32_t>(j), DOCANALYSIS_ENTITY_PHONE, 0.9f);
        i = j;
      } else {
        i = std::max(j, i + 1);
      }
    }
  }

  // Extends a number at token i with a following scale word ("5 million"); returns the end.
  size_t NumberEnd(size_t i) const {
    size_t e = i + 1;
    if (e < n() && IsScaleWord(L(e)) && (L(e).size() > 1 || Glued(i))) ++e;
    return e;
  }

  void Money() {
    for (size_t i = 0; i < n(); ++i) {
      if (taken_[i]) continue;
      // $ 5 million / US$ 5 / USD 5
      if ((IsCurrencySymbol(T(i)) || IsCurrencyCode(T(i))) && i + 1 < n() && IsNumberToken(T(i + 1))) {
        Take(i, NumberEnd(i + 1), DOCANALYSIS_ENTITY_MONEY, 0.95f);
        continue;
      }
      // 5 million dollars / 5 USD / 40 cents
      if (IsNumberToken(T(i))) {
        size_t e = NumberEnd(i);
        if (e < n() && (IsCurrencyWord(L(e)) || IsCurrencyCode(T(e)))) Take(i, e + 1, DOCANALYSIS_ENTITY_MONEY, 0.9f);
      }
    }
  }

  void Percents() {
    for (size_t i = 0; i + 1 < n(); ++i) {
      if (taken_[i] || !IsNumberToken(T(i))) continue;
      if (T(i + 1) == "%") {
        Take(i, i + 2, DOCANALYSIS_ENTITY_PERCENT, 0.99f);
      } else if (OneOf(L(i + 1), {"percent", "pct", "per-cent"})) {
        Take(i, i + 2, DOCANALYSIS_ENTITY_PERCENT, 0.97f);
      } else if (L(i + 1) == "per" && i + 2 < n() && L(i + 2) == "cent") {
        Take(i, i + 3, DOCANALYSIS_ENTITY_PERCENT, 0.97f);
      }
    }
  }

  void Dates() {
    // Numeric dates by a character scan: 1996-08-22, 22/08/1996, 8/22/96.
    std::string_view s = doc_.text;
    for (size_t i = 0; i < s.size();) {
      if (!IsDigit(s[i]) || (i > 0 && IsAlnum(s[i - 1]))) {
        ++i;
        continue;
      }
      size_t j = i;
      int groups[3] = {0, 0, 0}, ng = 0;
      char sep = 0;
      while (ng < 3) {
        size_t d = j;
        while (j < s.size() && IsDigit(s[j])) ++j;
        groups[ng++] = static_cast<int>(j - d);
        if (ng == 3 || j + 1 >= s.size() || (s[j] != '-' && s[j] != '/') || (sep && s[j] != sep) || !IsDigit(s[j + 1]))
          break;
        sep = s[j];
        ++j;
      }
      bool alnum_after = j < s.size() && IsAlnum(s[j]);
      bool iso = ng == 3 && sep == '-' && groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2;
      bool slash = ng == 3 && sep == '/' && groups[0] <= 2 && groups[1] <= 2 && (groups[2] == 2 || groups[2] == 4);
      if ((iso || slash) && !alnum_after) {
        TakeBytes(static_cast<uint32_t>(i), static_cast<uint32_t>(j), DOCANALYSIS_ENTITY_DATE, 0.95f);
      }
      i = std::max(j, i + 1);
    }
    for (size_t i = 0; i < n(); ++i) {
      if (taken_[i]) continue;
      const std::string& lw = L(i);
      if (MonthOf(lw) && (T(i)[0] >= 'A' && T(i)[0] <= 'Z')) {
        // [day] Month [day][,] [year]
        size_t b = i, e = i + 1;
        if (i > 0 && IsDay(L(i - 1)) && !taken_[i - 1]) b = i - 1;
        if (e < n() && IsDay(L(e)) && b == i) ++e;
        if (e + 1 < n() && T(e) == "," && IsYear(T(e + 1))) e += 2;
        else if (e < n() && IsYear(T(e))) ++e;
        // "May" alone is too ambiguous (the verb); require a day or a year with it.
        if (lw == "may" && e - b == 1) continue;
        Take(b, e, DOCANALYSIS_ENTITY_DATE, e - b > 1 ? 0.95f : 0.8f);
        i = e - 1;
      } else if (IsWeekday(lw) || OneOf(lw, {"today", "yesterday", "tomorrow"})) {
        Take(i, i + 1, DOCANALYSIS_ENTITY_DATE, 0.85f);
      } else if (IsYear(T(i)) && i > 0 &&
                 OneOf(L(i - 1), {"in", "since", "until", "from", "by", "early", "late", "mid", "during"})) {
        Take(i, i + 1, DOCANALYSIS_ENTITY_DATE, 0.7f);
      }
    }
  }

  void Numbers() {
    for (size_t i = 0; i < n(); ++i) {
      if (taken_[i] || !IsNumberToken(T(i))) continue;
      size_t e = NumberEnd(i);
      Take(i, Free(i, e) ? e : i + 1, DOCANALYSIS_ENTITY_NUMBER, 0.95f);
    }
  }

  const DocView& doc_;
  std::vector<Tok> toks_;
  std::vector<uint8_t> taken_;
  std::vector<PatternMention> found_;
};

}  // namespace

void FindPatterns(const DocView& doc, std::vector<PatternMention>* out) {
  if (doc.token_count == 0) return;
  Matcher(doc).Run(out);
}

}  // namespace docanalysis::entity
