#include "vader_lexicon.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace docanalysis::sentiment {
namespace {

// A fast hash of short strings: 8 bytes at a time, multiply-xorshift mixing.
uint64_t Hash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xFF51AFD7ED558CCDull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 29;
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 32);
}

// Equality of a stored key and a probe, 8 bytes at a time (keys are short words).
inline bool KeyEquals(const std::string& a, std::string_view b) {
  const size_t n = b.size();
  if (a.size() != n) return false;
  const char* x = a.data();
  const char* y = b.data();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t u, v;
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    if (u != v) return false;
  }
  for (; i < n; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = "cannot open " + path;
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// Splits `s` on `sep` into at most `max` fields.
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseFloat(std::string_view s, float* out) {
  std::string tmp(s);
  char* end = nullptr;
  double v = std::strtod(tmp.c_str(), &end);
  if (tmp.empty() || end == nullptr || *end != '\0') return false;
  *out = static_cast<float>(v);
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

char32_t DecodeUtf8(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

namespace {

struct SpecialName {
  const char* word;
  Special special;
};
// The function words the rules of the method refer to (Hutto & Gilbert 2014, section 3.3).
constexpr SpecialName kSpecials[] = {
    {"but", Special::kBut},         {"no", Special::kNo},        {"least", Special::kLeast},
    {"kind", Special::kKind},       {"of", Special::kOf},        {"never", Special::kNever},
    {"so", Special::kSo},           {"this", Special::kThis},    {"without", Special::kWithout},
    {"doubt", Special::kDoubt},     {"at", Special::kAt},        {"very", Special::kVery},
    {"or", Special::kOr},           {"nor", Special::kNor},
};

}  // namespace

const WordInfo* VaderLexicon::Table::Find(std::string_view key) const {
  if (slots.empty()) return nullptr;
  const size_t mask = slots.size() - 1;
  const uint64_t h = Hash(key);
  const uint64_t tag = h >> 32;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots[i];
    if (slot == 0) return nullptr;
    if ((slot >> 32) == tag) {
      const auto& e = entries[(slot & 0xFFFFFFFFu) - 1];
      if (KeyEquals(e.first, key)) return &e.second;
    }
  }
}

void VaderLexicon::Table::Grow() {
  const size_t n = slots.empty() ? 64 : slots.size() * 2;
  slots.assign(n, 0);
  for (size_t k = 0; k < entries.size(); ++k) {
    const uint64_t h = Hash(entries[k].first);
    size_t i = h & (n - 1);
    while (slots[i] != 0) i = (i + 1) & (n - 1);
    slots[i] = ((h >> 32) << 32) | static_cast<uint64_t>(k + 1);
  }
}

WordInfo& VaderLexicon::Table::Upsert(std::string_view key) {
  if (const WordInfo* found = Find(key)) return const_cast<WordInfo&>(*found);
  if ((entries.size() + 1) * 2 > slots.size()) Grow();
  const size_t mask = slots.size() - 1;
  const uint64_t h = Hash(key);
  size_t i = h & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  entries.emplace_back(std::string(key), WordInfo{});
  slots[i] = ((h >> 32) << 32) | static_cast<uint64_t>(entries.size());
  return entries.back().second;
}

WordInfo& VaderLexicon::Upsert(std::string_view word) { return words_.Upsert(word); }

void VaderLexicon::AddPhrasePrefix(std::string_view phrase) {
  size_t first = phrase.find(' ');
  if (first == std::string_view::npos) return;
  size_t second = phrase.find(' ', first + 1);
  phrase_prefixes_.Upsert(phrase.substr(0, second));
  std::string_view second_word = phrase.substr(first + 1, second == std::string_view::npos ? std::string_view::npos
                                                                                          : second - first - 1);
  Upsert(second_word).second_in_phrase = true;
}

namespace {

// The 16-byte image of a key of at most 15 bytes: the bytes (byte i at bits 8i of lo, then hi),
// zero-padded, and the length in the top byte of hi.
inline void KeyImage(std::string_view key, uint64_t* lo, uint64_t* hi) {
  const size_t n = key.size();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(key.data());
  uint64_t a = 0, b = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Fixed-size (overlapping) loads; on little-endian byte i lands at bits 8i.
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    if (n > 8) {
      std::memcpy(&b, p + n - 8, 8);
      b >>= 8 * (16 - n);
    }
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x | (static_cast<uint64_t>(y) << (8 * (n - 4)));
  } else {
    for (size_t i = 0; i < n; ++i) a |= static_cast<uint64_t>(p[i]) << (8 * i);
  }
#else
  for (size_t i = 0; i < n && i < 8; ++i) a |= static_cast<uint64_t>(p[i]) << (8 * i);
  for (size_t i = 8; i < n; ++i) b |= static_cast<uint64_t>(p[i]) << (8 * (i - 8));
#endif
  *lo = a;
  *hi = b | (static_cast<uint64_t>(n) << 56);
}

inline uint64_t MixImage(uint64_t lo, uint64_t hi) {
  uint64_t h = (lo * 0x9E3779B97F4A7C15ull) ^ (hi * 0xC2B2AE3D27D4EB4Full);
  h ^= h >> 29;
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 32);
}

}  // namespace

static_assert(sizeof(WordInfo) <= 16, "a compact slot is 32 bytes");

void VaderLexicon::BuildCompactIndex() {
  size_t n = 0;
  for (const auto& e : words_.entries) n += e.first.size() <= 15;
  size_t cap = 64;
  while (cap < 2 * n) cap *= 2;
  compact_.assign(cap, CompactSlot{});
  bloom_.assign(kBloomBits / 64, 0);
  for (const auto& e : words_.entries) {
    if (e.first.empty() || e.first.size() > 15) continue;
    uint64_t lo, hi;
    KeyImage(e.first, &lo, &hi);
    const uint64_t h = MixImage(lo, hi);
    const uint64_t b1 = (h >> 47) & (kBloomBits - 1), b2 = (h >> 30) & (kBloomBits - 1);
    bloom_[b1 / 64] |= 1ull << (b1 % 64);
    bloom_[b2 / 64] |= 1ull << (b2 % 64);
    size_t i = h & (cap - 1);
    while (compact_[i].hi != 0) i = (i + 1) & (cap - 1);
    compact_[i].lo = lo;
    compact_[i].hi = hi;
    compact_[i].info = e.second;
  }
}

const WordInfo* VaderLexicon::FindCompact(std::string_view word) const {
  if (word.empty() || compact_.empty()) return nullptr;
  uint64_t lo, hi;
  KeyImage(word, &lo, &hi);
  const uint64_t h = MixImage(lo, hi);
  const uint64_t b1 = (h >> 47) & (kBloomBits - 1), b2 = (h >> 30) & (kBloomBits - 1);
  if (((bloom_[b1 / 64] >> (b1 % 64)) & (bloom_[b2 / 64] >> (b2 % 64)) & 1) == 0) return nullptr;
  const size_t mask = compact_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const CompactSlot& slot = compact_[i];
    if (slot.hi == hi && slot.lo == lo) return &slot.info;
    if (slot.hi == 0) return nullptr;
  }
}
const WordInfo* VaderLexicon::FindExact(std::string_view word) const { return exact_.Find(word); }

bool VaderLexicon::FindIdiom(std::string_view phrase, float* valence) const {
  const WordInfo* w = idioms_.Find(phrase);
  if (w == nullptr) return false;
  *valence = w->valence;
  return true;
}

bool VaderLexicon::FindLexiconPhrase(std::string_view phrase, float* valence) const {
  const WordInfo* w = phrases_.Find(phrase);
  if (w == nullptr) return false;
  *valence = w->valence;
  return true;
}

float VaderLexicon::PhraseBooster(std::string_view phrase) const {
  const WordInfo* w = phrase_boosters_.Find(phrase);
  return w == nullptr ? 0.0f : w->booster;
}

const std::vector<std::string_view>* VaderLexicon::EmojiWords(char32_t cp) const {
  auto it = emoji_.find(cp);
  return it == emoji_.end() ? nullptr : &it->second;
}

std::unique_ptr<VaderLexicon> VaderLexicon::Load(const std::string& dir, std::string* error) {
  std::unique_ptr<VaderLexicon> lex(new VaderLexicon());
  std::string text;

  // vader_lexicon.txt: token TAB mean TAB sd TAB [ratings].
  std::string path = dir + "/vader_lexicon.txt";
  if (!ReadFile(path, &text, error)) return nullptr;
  size_t line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (Trim(line).empty()) continue;
    std::vector<std::string_view> f = Split(line, '\t');
    float v = 0;
    if (f.size() < 2 || f[0].empty() || !ParseFloat(Trim(f[1]), &v)) {
      *error = path + ":" + std::to_string(line_no) + ": expected word<TAB>valence";
      return nullptr;
    }
    std::string word = Lower(f[0]);
    if (word.find(' ') != std::string::npos) {
      lex->phrases_.Upsert(word).valence = v;
      lex->AddPhrasePrefix(word);
      lex->Upsert(word.substr(0, word.find(' '))).starts_phrase = true;
      continue;
    }
    WordInfo& w = lex->Upsert(word);
    w.in_lexicon = true;
    w.valence = v;
    if (word != f[0]) {  // written with capitals: an emoticon such as ":D" (Find() lower-cases)
      WordInfo& e = lex->exact_.Upsert(f[0]);
      e.in_lexicon = true;
      e.valence = v;
    }
    ++lex->lexicon_entries_;
  }
  if (lex->lexicon_entries_ < 1000) {
    *error = path + ": too few entries (" + std::to_string(lex->lexicon_entries_) + ")";
    return nullptr;
  }

  // vader_rules.tsv: negate/booster/idiom lines generated from the package's word lists.
  path = dir + "/vader_rules.tsv";
  if (!ReadFile(path, &text, error)) return nullptr;
  line_no = 0;
  size_t negations = 0, boosters = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (Trim(line).empty() || line[0] == '#') continue;
    std::vector<std::string_view> f = Split(line, '\t');
    float v = 0;
    bool ok = f.size() >= 2 && !f[1].empty();
    if (ok && f[0] == "negate") {
      lex->Upsert(Lower(f[1])).is_negation = true;
      ++negations;
    } else if (ok && f.size() == 3 && f[0] == "booster" && ParseFloat(f[2], &v)) {
      std::string word = Lower(f[1]);
      if (word.find(' ') != std::string::npos) {
        lex->phrase_boosters_.Upsert(word).booster = v;
        lex->Upsert(word.substr(0, word.find(' '))).starts_booster_phrase = true;
      } else {
        WordInfo& w = lex->Upsert(word);
        w.is_booster = true;
        w.booster = v;
      }
      ++boosters;
    } else if (ok && f.size() == 3 && f[0] == "idiom" && ParseFloat(f[2], &v)) {
      std::string phrase = Lower(f[1]);
      lex->idioms_.Upsert(phrase).valence = v;
      lex->AddPhrasePrefix(phrase);
      if (phrase.find(' ') == std::string::npos) {
        // A one-word idiom ("badass") is a lexicon entry of its own.
        WordInfo& w = lex->Upsert(phrase);
        if (!w.in_lexicon) {
          w.in_lexicon = true;
          w.valence = v;
        }
      } else {
        lex->Upsert(phrase.substr(0, phrase.find(' '))).starts_phrase = true;
      }
    } else {
      *error = path + ":" + std::to_string(line_no) + ": malformed rule line";
      return nullptr;
    }
  }
  if (negations == 0 || boosters == 0) {
    *error = path + ": no negation or booster words";
    return nullptr;
  }
  for (const SpecialName& s : kSpecials) lex->Upsert(s.word).special = s.special;

  // emoji_utf8_lexicon.txt: emoji TAB description. Only single code points are looked up.
  path = dir + "/emoji_utf8_lexicon.txt";
  if (!ReadFile(path, &text, error)) return nullptr;
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string_view> f = Split(line, '\t');
    if (f.size() < 2 || f[0].empty()) continue;
    size_t i = 0;
    char32_t cp = DecodeUtf8(f[0], &i);
    if (i != f[0].size() || cp < 0x80) continue;  // a sequence of several code points
    lex->emoji_text_.push_back(std::make_unique<std::string>(Lower(Trim(f[1]))));
    const std::string& desc = *lex->emoji_text_.back();
    std::vector<std::string_view> words;
    for (std::string_view w : Split(desc, ' '))
      if (!w.empty()) words.push_back(w);
    if (!words.empty()) lex->emoji_[cp] = std::move(words);
  }
  if (lex->emoji_.empty()) {
    *error = path + ": no emoji entries";
    return nullptr;
  }
  lex->BuildCompactIndex();
  return lex;
}

}  // namespace docanalysis::sentiment
