#include "vader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace docanalysis::sentiment {
namespace {

// Character classes of ASCII bytes (non-ASCII bytes have none).
enum : uint8_t {
  kSpace = 1,
  kPunct = 2,
  kUpperCase = 4,
  kLowerCase = 8,
  kClauseBreak = 16,
  kApostrophe = 32,
  kNonAscii = 64,
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 128; c < 256; ++c) t[c] = kNonAscii;
  for (int c = 0; c < 128; ++c) {
    uint8_t k = 0;
    if (c == ' ' || (c >= '\t' && c <= '\r')) k |= kSpace;
    // Python's string.punctuation.
    if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E))
      k |= kPunct;
    if (c >= 'A' && c <= 'Z') k |= kUpperCase;
    if (c >= 'a' && c <= 'z') k |= kLowerCase;
    // Punctuation after a word that ends a clause: modifiers do not reach across it.
    if (c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?') k |= kClauseBreak;
    if (c == '\'') k |= kApostrophe;
    t[c] = k;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kCharClass = MakeCharClasses();

constexpr std::array<char, 256> MakeLowerTable() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
  return t;
}
constexpr std::array<char, 256> kLowerTable = MakeLowerTable();

// One table entry per byte, summed with one add per byte of a chunk: 8-bit counters of capitals,
// lower-case letters, '!', '?', punctuation, apostrophes and non-ASCII bytes; the top bit marks
// whitespace (where a chunk ends). Sums are flushed every 255 bytes so no counter overflows.
enum : int { kFieldUpper = 0, kFieldLower, kFieldExclamation, kFieldQuestion, kFieldPunct, kFieldApostrophe, kFieldNonAscii };
constexpr uint64_t kScanSpace = 1ull << 63;
constexpr uint64_t Field(int field) { return 1ull << (8 * field); }

constexpr std::array<uint64_t, 256> MakeScanTable() {
  std::array<uint64_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const uint8_t k = kCharClass[c];
    uint64_t v = 0;
    if (k & kSpace) v |= kScanSpace;
    if (k & kUpperCase) v += Field(kFieldUpper);
    if (k & kLowerCase) v += Field(kFieldLower);
    if (c == '!') v += Field(kFieldExclamation);
    if (c == '?') v += Field(kFieldQuestion);
    if (k & kPunct) v += Field(kFieldPunct);
    if (k & kApostrophe) v += Field(kFieldApostrophe);
    if (k & kNonAscii) v += Field(kFieldNonAscii);
    t[c] = v;
  }
  return t;
}
constexpr std::array<uint64_t, 256> kScanTable = MakeScanTable();

// What one pass over a chunk (of at most 255 bytes) learns: its packed 8-bit counters.
struct ChunkStats {
  uint64_t packed;
  uint32_t operator[](int field) const { return static_cast<uint32_t>((packed >> (8 * field)) & 0xFF); }
  bool Has(int field) const { return (packed & (0xFFull << (8 * field))) != 0; }
};

inline uint8_t Class(char c) { return kCharClass[static_cast<unsigned char>(c)]; }

// Emoticons written with capitals are short (":D", "XD") or contain punctuation ("O.o", "(-:O").
bool MayBeEmoticon(std::string_view w) {
  if (w.size() <= 2) return true;
  for (char c : w)
    if (Class(c) & kPunct) return true;
  return false;
}

// Code points that only decorate an emoji: variation selectors, zero-width joiner, skin tones.
bool IsEmojiDecoration(char32_t cp) {
  return cp == 0xFE0F || cp == 0xFE0E || cp == 0x200D || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

// One word of a sentence, with what the rules need to know about it.
struct Word {
  std::string_view raw;    // as written, punctuation stripped
  std::string_view lower;  // ASCII lower case, curly apostrophes as '
  double base = 0.0;       // valence of a lexicon word or of an idiom's head word
  float booster = 0.0f;
  Special special = Special::kNone;
  bool has_base = false;   // carries sentiment of its own
  bool blocks = false;     // a lexicon word (or part of a phrase): never read as a modifier
  bool negation = false;
  bool is_booster = false;
  bool starts_phrase = false;
  bool starts_booster_phrase = false;
  bool second_in_phrase = false;
  bool upper = false;       // ALL CAPS
  bool capitals = false;    // has a capital letter (raw differs from lower)
  bool clause_end = false;  // followed by , ; : . ! ? in the text
};

struct Scratch {
  std::vector<Word> words;
  std::string lower;
  std::string phrase;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Releases scratch memory that one huge sentence made grow (it is kept per thread otherwise).
void TrimScratch(Scratch& scratch) {
  constexpr size_t kKeepWords = 1 << 14, kKeepBytes = 1 << 18;
  if (scratch.words.size() > kKeepWords) std::vector<Word>().swap(scratch.words);
  if (scratch.lower.size() > kKeepBytes) std::string().swap(scratch.lower);
}

class SentenceScorer {
 public:
  SentenceScorer(const VaderLexicon& lex, const AnalyzerOptions& options, Scratch& scratch)
      : lex_(lex), options_(options), s_(scratch), words_(scratch.words) {}

  // Starts a sentence of at most `bytes` bytes of chunks.
  void Begin(size_t bytes) {
    n_words_ = 0;
    phrase_starts_ = 0;
    // Views into the buffer must not move: sized once, for a fast-path copy plus a slow-path copy.
    if (s_.lower.size() < 2 * bytes) s_.lower.resize(2 * bytes);
    lower_used_ = 0;
    exclamations_ = questions_ = 0;
    upper_words_ = 0;
  }

  SentimentScore Finish(const ScoringOptions& scoring) {
    if (phrase_starts_ != 0) MatchPhrases();
    SentimentScore out = Valences();
    out.score = static_cast<float>(VaderAnalyzer::Score(out.sum, out.words, scoring));
    return out;
  }

  // Scans text from `p` up to `end` or the first whitespace, lower-casing it into the buffer, and
  // adds it as one chunk; returns where it stopped. The hot path: one pass per byte.
  const char* ScanChunk(const char* p, const char* end) {
    const char* const start = p;
    char* const lowered = s_.lower.data() + lower_used_;
    char* out = lowered;
    // Nearly every chunk is shorter than 255 bytes, so its counters fit 8 bits each; a longer one
    // takes the general path below.
    const char* const block_end = end - p > 255 ? p + 255 : end;
    uint64_t packed = 0;
    for (; p < block_end; ++p) {
      const unsigned char c = static_cast<unsigned char>(*p);
      const uint64_t t = kScanTable[c];
      if (t & kScanSpace) break;
      packed += t;
      *out++ = kLowerTable[c];
    }
    bool long_chunk = false;
    while (p < end && !(Class(*p) & kSpace)) {
      ++p;
      long_chunk = true;
    }
    const ChunkStats st{packed};
    if (p == start) return p;
    std::string_view raw(start, static_cast<size_t>(p - start));
    if (long_chunk || st.Has(kFieldNonAscii)) {
      AddChunk(raw, false);  // emoji, other scripts, long chunks: the general path (its own lower-casing)
      return p;
    }
    lower_used_ += static_cast<size_t>(out - lowered);
    AddAsciiPiece(raw, std::string_view(lowered, static_cast<size_t>(out - lowered)), st);
    return p;
  }

  // Adds one whitespace-delimited chunk of text; `ascii` when it has no byte >= 0x80.
  void AddChunk(std::string_view chunk, bool ascii) {
    if (ascii) {
      AddPiece(chunk);
      return;
    }
    // Emoji become the words of their description (the method's emoji handling).
    size_t i = 0, piece = 0;
    while (i < chunk.size()) {
      size_t at = i;
      char32_t cp = DecodeUtf8(chunk, &i);
      if (cp < 0x80) continue;
      const std::vector<std::string_view>* desc = lex_.EmojiWords(cp);
      if (desc == nullptr && !IsEmojiDecoration(cp)) continue;
      AddPiece(chunk.substr(piece, at - piece));
      if (desc != nullptr)
        for (std::string_view w : *desc) AddLowerWord(w);
      piece = i;
    }
    AddPiece(chunk.substr(piece));
  }

 private:
  // A fresh word at the end of the sentence. words_ only grows (it is per-thread scratch), so
  // slots past n_words_ are reused.
  Word& NewWord() {
    if (n_words_ == words_.size()) words_.resize(words_.size() * 2 + 32);
    Word& w = words_[n_words_++];
    w = Word{};
    return w;
  }

  void AddLowerWord(std::string_view w) {
    Word& word = NewWord();
    word.raw = w;
    word.lower = w;
    Lookup(&word, false, false);
  }

  // Writes the lower-case form of `s` (ASCII letters; typographic apostrophes as ') into the
  // scratch buffer, which Begin() sized; returns a view of it. Counts '!' and '?' into the
  // sentence's emphasis, and tells whether `s` is ALL CAPS (two or more capitals and no lower-case
  // letter, so emoticons such as ":D" are not) and whether it has an apostrophe.
  std::string_view Lower(std::string_view s, bool* all_caps, bool* apostrophe, bool* letters_only) {
    char* const start = s_.lower.data() + lower_used_;
    char* out = start;
    int upper = 0, lower = 0;
    bool quote = false;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      const uint8_t k = Class(c);
      if (k & kUpperCase) {
        c = static_cast<char>(c + ('a' - 'A'));
        ++upper;
      } else if (k & kLowerCase) {
        ++lower;
      } else if (k & kPunct) {
        exclamations_ += c == '!';
        questions_ += c == '?';
        quote |= c == '\'';
      } else if (c == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' && (s[i + 2] == '\x99' || s[i + 2] == '\x98')) {
        c = '\'';  // U+2019/U+2018 typographic apostrophe
        quote = true;
        i += 2;
      }
      *out++ = c;
    }
    lower_used_ += static_cast<size_t>(out - start);
    *all_caps = upper >= 2 && lower == 0;
    *apostrophe = quote;
    *letters_only = static_cast<size_t>(upper + lower) == s.size();
    return std::string_view(start, static_cast<size_t>(out - start));
  }

  bool InLexiconRaw(std::string_view raw) {
    const WordInfo* e = lex_.FindExact(raw);
    if (e != nullptr && e->in_lexicon) return true;
    char buf[32];
    if (raw.size() > sizeof(buf)) return false;
    for (size_t i = 0; i < raw.size(); ++i)
      buf[i] = (raw[i] >= 'A' && raw[i] <= 'Z') ? static_cast<char>(raw[i] - 'A' + 'a') : raw[i];
    const WordInfo* w = lex_.Find(std::string_view(buf, raw.size()));
    return w != nullptr && w->in_lexicon;
  }

  // An ASCII chunk already lower-cased (as `lowered`) and counted by ScanChunk.
  void AddAsciiPiece(std::string_view raw, std::string_view lowered, const ChunkStats& st) {
    const uint32_t upper = st[kFieldUpper], lower = st[kFieldLower];
    if (st.Has(kFieldExclamation) || st.Has(kFieldQuestion)) {
      exclamations_ += st[kFieldExclamation];
      questions_ += st[kFieldQuestion];
    }
    size_t b = 0, e = raw.size();
    if (st.Has(kFieldPunct)) {
      while (b < e && (Class(raw[b]) & kPunct)) ++b;
      while (e > b && (Class(raw[e - 1]) & kPunct)) --e;
    }
    Word& word = NewWord();
    if (b != 0 || e != raw.size()) {
      std::string_view stripped = raw.substr(b, e - b);
      bool keep_raw;
      if (options_.reference_strip) {
        keep_raw = stripped.size() <= 2;
      } else {
        // Keep the raw token when it is an emoticon (":)", ":-D", "<3"): little is left once stripped.
        keep_raw = stripped.size() <= 2 && (stripped.empty() || InLexiconRaw(raw));
      }
      if (!keep_raw) {
        for (size_t k = e; k < raw.size(); ++k) word.clause_end |= (Class(raw[k]) & kClauseBreak) != 0;
        raw = stripped;
        lowered = lowered.substr(b, e - b);
      }
    }
    word.raw = raw;
    word.lower = lowered;
    word.upper = upper >= 2 && lower == 0;  // stripped punctuation has no letters
    word.capitals = upper > 0;
    upper_words_ += word.upper;
    // Only a word of lower-case letters alone can be an inflected form of a lexicon word.
    Lookup(&word, st.Has(kFieldApostrophe), upper + lower == raw.size());
  }

  void AddPiece(std::string_view raw) {
    if (raw.empty()) return;
    size_t b = 0, e = raw.size();
    while (b < e && (Class(raw[b]) & kPunct)) ++b;
    while (e > b && (Class(raw[e - 1]) & kPunct)) --e;
    std::string_view stripped = raw.substr(b, e - b);
    Word& word = NewWord();
    if (b == 0 && e == raw.size()) {
      word.raw = raw;
    } else if (options_.reference_strip) {
      size_t cps = 0;
      for (unsigned char c : stripped) cps += (c & 0xC0) != 0x80;
      word.raw = cps <= 2 ? raw : stripped;
    } else {
      // Keep the raw token when it is an emoticon (":)", ":-D", "<3"): little is left once stripped.
      word.raw = (stripped.size() <= 2 && (stripped.empty() || InLexiconRaw(raw))) ? raw : stripped;
    }
    if (word.raw.size() != raw.size()) {
      // The stripped punctuation: emphasis marks, and whether a clause ends after the word.
      for (size_t k = 0; k < b; ++k) {
        exclamations_ += raw[k] == '!';
        questions_ += raw[k] == '?';
      }
      for (size_t k = e; k < raw.size(); ++k) {
        word.clause_end |= (Class(raw[k]) & kClauseBreak) != 0;
        exclamations_ += raw[k] == '!';
        questions_ += raw[k] == '?';
      }
    }
    bool apostrophe = false, letters_only = false;
    word.lower = Lower(word.raw, &word.upper, &apostrophe, &letters_only);
    word.capitals = word.raw != word.lower;
    upper_words_ += word.upper;
    Lookup(&word, apostrophe, letters_only);
  }

  // `may_inflect`: the word is ASCII letters only (a candidate inflected form).
  void Lookup(Word* w, bool apostrophe, bool may_inflect) {
    const WordInfo* info = lex_.Find(w->lower);
    if (info != nullptr) {
      w->special = info->special;
      w->negation = info->is_negation;
      w->is_booster = info->is_booster;
      w->booster = info->booster;
      w->starts_phrase = info->starts_phrase;
      w->starts_booster_phrase = info->starts_booster_phrase;
      w->second_in_phrase = info->second_in_phrase;
      phrase_starts_ += info->starts_phrase;
      if (info->in_lexicon) {
        w->has_base = true;
        w->blocks = true;
        w->base = info->valence;
      }
    }
    if (!w->has_base && w->capitals && MayBeEmoticon(w->raw)) {
      const WordInfo* exact = lex_.FindExact(w->raw);  // emoticons written in capitals (":D", "XD")
      if (exact != nullptr && exact->in_lexicon) {
        w->has_base = true;
        w->blocks = true;
        w->base = exact->valence;
      }
    }
    if (apostrophe && !w->negation && w->lower.find("n't") != std::string_view::npos) w->negation = true;
    if (may_inflect && !w->has_base && options_.inflections && (info == nullptr || (!info->is_booster && !info->is_negation &&
                                                                       info->special == Special::kNone)))
      LookupInflection(w);
  }

  // An inflected form of a lexicon word ("charms", "loved", "sadly", "happiest") takes its valence.
  void LookupInflection(Word* w) {
    std::string_view s = w->lower;
    if (s.size() < 5 || s.size() > 40) return;
    const char last = s.back();  // every suffix below ends in one of these
    if (last != 's' && last != 'd' && last != 'g' && last != 'y' && last != 't' && last != 'r') return;
    char buf[48];
    auto try_stem = [&](size_t cut, std::string_view add) -> bool {
      if (cut >= s.size() || s.size() - cut + add.size() < 3) return false;
      size_t keep = s.size() - cut;
      s.copy(buf, keep);
      add.copy(buf + keep, add.size());
      const WordInfo* base = lex_.Find(std::string_view(buf, keep + add.size()));
      if (base == nullptr || !base->in_lexicon) return false;
      w->has_base = true;
      w->blocks = true;
      w->base = base->valence;
      return true;
    };
    const size_t n = s.size();
    const char c2 = s[n - 2], c3 = s[n - 3], c4 = s[n - 4];  // n >= 5
    switch (last) {
      case 'y':
        if (c2 == 'l' && c3 == 'i' && try_stem(3, "y")) return;  // happily
        if (c2 == 'l' && (try_stem(2, "") || try_stem(1, "e"))) return;  // sadly, horribly
        return;
      case 's':
        if (c2 == 'e' && c3 == 'i' && try_stem(3, "y")) return;  // worries
        if (c2 == 'e' && try_stem(2, "")) return;                 // wishes
        if (c2 != 's' && try_stem(1, "")) return;                 // charms
        return;
      case 'd':
        if (c2 != 'e') return;
        if (c3 == 'i' && try_stem(3, "y")) return;  // worried
        if (try_stem(1, "") || try_stem(2, "") || (c3 == c4 && try_stem(3, ""))) return;  // loved, wanted, stopped
        return;
      case 'g':
        if (c2 != 'n' || c3 != 'i') return;
        if (try_stem(3, "") || try_stem(3, "e") || (c4 == s[n - 5] && try_stem(4, ""))) return;  // robbing
        return;
      case 't':
        if (c2 != 's' || c3 != 'e') return;
        if (c4 == 'i' && try_stem(4, "y")) return;  // happiest
        if (try_stem(3, "") || try_stem(2, "")) return;  // greatest, nicest
        return;
      case 'r':
        if (c2 == 'e' && c3 == 'i' && try_stem(3, "y")) return;  // happier
        return;
    }
    // No bare "-er": agent nouns ("player", "speaker") are not comparatives of a lexicon word.
  }

  // Joins words [from, from + n) with single spaces into the scratch phrase.
  std::string_view Join(size_t from, size_t n) {
    s_.phrase.clear();
    for (size_t k = 0; k < n; ++k) {
      if (k) s_.phrase.push_back(' ');
      s_.phrase.append(words_[from + k].lower);
    }
    return s_.phrase;
  }

  // Idioms and multi-word lexicon entries: the phrase's valence goes to its first word, the other
  // words carry none, and no word inside the phrase acts as a negation or modifier.
  void MatchPhrases() {
    const size_t n = n_words_;
    for (size_t p = 0; p < n; ++p) {
      if (!words_[p].starts_phrase || p + 1 >= n || !words_[p + 1].second_in_phrase ||
          !lex_.StartsPhrase(Join(p, 2)))
        continue;
      for (size_t len = 3; len >= 2; --len) {
        if (p + len > n) continue;
        std::string_view phrase = Join(p, len);
        float v = 0;
        if (lex_.FindIdiom(phrase, &v) || lex_.FindLexiconPhrase(phrase, &v)) {
          for (size_t q = p; q < p + len; ++q) {
            Word& w = words_[q];
            w.has_base = q == p;
            w.base = q == p ? v : 0.0;
            w.blocks = true;
            w.negation = w.is_booster = w.starts_booster_phrase = false;
            w.special = Special::kNone;
          }
          p += len - 1;
          break;
        }
      }
    }
  }

  bool Is(size_t i, Special s) const { return words_[i].special == s; }
  bool IsSoOrThis(size_t i) const { return Is(i, Special::kSo) || Is(i, Special::kThis); }

  double Scalar(const Word& w, double valence) const {
    if (!w.is_booster) return 0.0;
    double s = valence < 0 ? -w.booster : w.booster;
    if (w.upper && cap_diff_) s += valence > 0 ? kCapsIncrement : -kCapsIncrement;
    return s;
  }

  // The negation rules for the word `k + 1` places before word i.
  double Negation(double v, size_t i, size_t k) const {
    const size_t j = i - k - 1;
    if (k == 2 && options_.so_this_intensifies && IsSoOrThis(i - 1)) return v * kNeverSoScalar;
    if (k == 1 || k == 2) {
      bool never_so = Is(j, Special::kNever) && (IsSoOrThis(i - 1) || (k == 2 && IsSoOrThis(i - 2)));
      if (never_so) return v * kNeverSoScalar;
      bool without_doubt = Is(j, Special::kWithout) && (Is(i - 1, Special::kDoubt) || (k == 2 && Is(i - 2, Special::kDoubt)));
      if (without_doubt) return v;
    }
    return words_[j].negation ? v * kNegationScalar : v;
  }

  double WordValence(size_t i) const {
    const Word& w = words_[i];
    double v = w.base;
    const size_t n = n_words_;
    if (Is(i, Special::kNo) && i + 1 < n && words_[i + 1].has_base) v = 0.0;  // "no" negates the next word
    if ((i > 0 && Is(i - 1, Special::kNo) && Reaches(i - 1, i)) || (i > 1 && Is(i - 2, Special::kNo) && Reaches(i - 2, i)) ||
        (i > 2 && Is(i - 3, Special::kNo) && (Is(i - 1, Special::kOr) || Is(i - 1, Special::kNor)) && Reaches(i - 3, i))) {
      v = w.base * kNegationScalar;
    }
    if (w.upper && cap_diff_) {
      if (v > 0) v += kCapsIncrement;
      else if (v < 0) v -= kCapsIncrement;
    }
    static constexpr double kDistance[3] = {1.0, 0.95, 0.9};
    for (size_t k = 0; k < 3 && k < i; ++k) {
      const size_t j = i - k - 1;
      if (!Reaches(j, i)) break;
      if (words_[j].blocks) continue;
      v += Scalar(words_[j], v) * kDistance[k];
      v = Negation(v, i, k);
    }
    // Multi-word degree phrases before the word ("kind of", "sort of", "just enough").
    for (size_t back = 2; back <= 3; ++back) {
      if (i < back || !words_[i - back].starts_booster_phrase || !Reaches(i - back, i)) continue;
      for (size_t len = back; len >= 2; --len) {
        float b = lex_.PhraseBooster(const_cast<SentenceScorer*>(this)->Join(i - back, len));
        if (b != 0.0f) {
          v += v < 0 ? -b : b;
          break;
        }
      }
    }
    // "least" negates, except in "at least" and "very least".
    if (i > 0 && Is(i - 1, Special::kLeast) && !words_[i - 1].blocks) {
      bool at_least = i > 1 && (Is(i - 2, Special::kAt) || Is(i - 2, Special::kVery));
      if (!at_least) v *= kNegationScalar;
    }
    return v;
  }

  // Whether a modifier at word j still applies to word i (no clause break in between).
  bool Reaches(size_t j, size_t i) const {
    if (!options_.clause_scope) return true;
    for (size_t k = j; k < i; ++k)
      if (words_[k].clause_end) return false;
    return true;
  }

  SentimentScore Valences() {
    const size_t n = n_words_;
    SentimentScore out;
    out.words = static_cast<uint32_t>(n);
    cap_diff_ = upper_words_ > 0 && upper_words_ < n;

    // "but" shifts the weight to the clause after it: valences before the first "but" are halved,
    // those after it multiplied by 1.5.
    size_t but = n;
    for (size_t i = 0; i < n; ++i) {
      if (Is(i, Special::kBut)) {
        but = i;
        break;
      }
    }
    double sum = 0, abs_sum = 0, pos = 0, neg = 0;
    size_t neutral = 0;
    for (size_t i = 0; i < n; ++i) {
      const Word& w = words_[i];
      double v = 0.0;
      // Degree words carry no valence of their own, nor does "kind" in "kind of".
      if (w.has_base && !w.is_booster && !(Is(i, Special::kKind) && i + 1 < n && Is(i + 1, Special::kOf))) {
        v = WordValence(i);
        if (but < n && i != but) v *= i < but ? kButBefore : kButAfter;
      }
      sum += v;
      abs_sum += std::fabs(v);
      if (v > 0) {
        pos += v + 1;
        ++out.sentiment_words;
      } else if (v < 0) {
        neg += v - 1;
        ++out.sentiment_words;
      } else {
        ++neutral;
      }
    }
    // '!' and '?' emphasis.
    double emphasis = std::min<int>(exclamations_, kMaxExclamations) * kExclamationIncrement;
    if (questions_ > 1) emphasis += questions_ <= 3 ? questions_ * kQuestionIncrement : kQuestionMax;
    if (sum > 0) sum += emphasis;
    else if (sum < 0) sum -= emphasis;
    else emphasis = 0;
    if (pos > -neg) pos += emphasis;
    else if (pos < -neg) neg -= emphasis;

    out.sum = sum;
    out.compound = static_cast<float>(VaderAnalyzer::Normalize(sum));
    out.magnitude = static_cast<float>((abs_sum + emphasis) / 4.0);
    double total = pos - neg + static_cast<double>(neutral);
    if (n > 0 && total > 0) {
      out.positive = static_cast<float>(pos / total);
      out.negative = static_cast<float>(-neg / total);
      out.neutral = static_cast<float>(neutral / total);
    }
    return out;
  }

  const VaderLexicon& lex_;
  const AnalyzerOptions& options_;
  Scratch& s_;
  std::vector<Word>& words_;
  size_t n_words_ = 0;
  size_t phrase_starts_ = 0;  // words that may start an idiom or a multi-word entry
  size_t lower_used_ = 0;
  unsigned exclamations_ = 0;
  unsigned questions_ = 0;
  size_t upper_words_ = 0;
  bool cap_diff_ = false;
};

}  // namespace

double VaderAnalyzer::Normalize(double sum) {
  double x = sum / std::sqrt(sum * sum + kNormalizeAlpha);
  return std::clamp(x, -1.0, 1.0);
}

double VaderAnalyzer::Score(double sum, double words, const ScoringOptions& scoring) {
  if (sum == 0.0 || !std::isfinite(sum)) return 0.0;
  double density = sum / (1.0 + scoring.length_damping * std::max(words, 0.0));
  double m = scoring.min_polar_score + (1.0 - scoring.min_polar_score) * std::fabs(Normalize(density));
  return std::clamp(sum > 0 ? m : -m, -1.0, 1.0);
}

SentimentScore VaderAnalyzer::ScoreText(std::string_view text, const ScoringOptions& scoring) const {
  Scratch& scratch = ThreadScratch();
  SentenceScorer scorer(*lexicon_, options_, scratch);
  scorer.Begin(text.size());
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    while (p < end && (Class(*p) & kSpace)) ++p;
    p = scorer.ScanChunk(p, end);
  }
  SentimentScore result = scorer.Finish(scoring);
  TrimScratch(scratch);
  return result;
}

SentimentScore VaderAnalyzer::ScoreTokens(std::string_view text, const docanalysis_token* first,
                                          const docanalysis_token* last, const ScoringOptions& scoring) const {
  Scratch& scratch = ThreadScratch();
  SentenceScorer scorer(*lexicon_, options_, scratch);
  size_t bytes = 0;
  if (first != last && last[-1].end <= text.size() && first->begin <= last[-1].end) bytes = last[-1].end - first->begin;
  scorer.Begin(bytes);
  // Tokens not separated by whitespace form one chunk, as in the method's whitespace split (so
  // emoticons such as ":-)" and contractions stay whole).
  size_t begin = 0, end = 0, used = 0;
  bool open = false;
  auto flush = [&]() {
    if (used + (end - begin) > bytes) return;  // malformed token offsets: never write past the buffer
    used += end - begin;
    // A chunk has no whitespace inside; should one slip in, the rest still gets scanned.
    const char* p = text.data() + begin;
    const char* const stop = text.data() + end;
    while (p < stop) {
      while (p < stop && (Class(*p) & kSpace)) ++p;
      p = scorer.ScanChunk(p, stop);
    }
  };
  for (const docanalysis_token* t = first; t != last; ++t) {
    if (t->begin > t->end || t->end > text.size()) continue;
    if (open && (t->flags & DOCANALYSIS_TOKEN_SPACE_BEFORE) == 0 && t->begin >= end) {
      end = t->end;
      continue;
    }
    if (open) flush();
    begin = t->begin;
    end = t->end;
    open = true;
  }
  if (open) flush();
  SentimentScore result = scorer.Finish(scoring);
  TrimScratch(scratch);
  return result;
}

SentimentScore VaderAnalyzer::Aggregate(const std::vector<SentimentScore>& sentences, const DocumentOptions& options) {
  SentimentScore doc;
  if (sentences.empty()) return doc;
  if (sentences.size() == 1) return sentences[0];
  const double n = static_cast<double>(sentences.size());
  double total_weight = 0;
  for (size_t k = 0; k < sentences.size(); ++k)
    total_weight += 1.0 + options.last_sentence_boost * (static_cast<double>(k) / (n - 1));
  const double mean_weight = total_weight / n;
  double sum = 0, words = 0, magnitude = 0, pos = 0, neg = 0, neu = 0;
  for (size_t k = 0; k < sentences.size(); ++k) {
    const SentimentScore& s = sentences[k];
    double w = (1.0 + options.last_sentence_boost * (static_cast<double>(k) / (n - 1))) / mean_weight;
    sum += w * s.sum;
    words += w * s.words;
    magnitude += s.magnitude;
    pos += s.positive * s.words;
    neg += s.negative * s.words;
    neu += s.neutral * s.words;
    doc.words += s.words;
    doc.sentiment_words += s.sentiment_words;
  }
  doc.sum = sum;
  doc.score = static_cast<float>(Score(sum, words, options.scoring));
  doc.compound = static_cast<float>(Normalize(sum));
  doc.magnitude = static_cast<float>(magnitude);
  if (doc.words > 0) {
    doc.positive = static_cast<float>(pos / doc.words);
    doc.negative = static_cast<float>(neg / doc.words);
    doc.neutral = static_cast<float>(neu / doc.words);
  }
  return doc;
}

void VaderAnalyzer::ScoreDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                  const docanalysis_sentence* sentences, size_t sentence_count,
                                  const DocumentOptions& options, DocumentScore* out, bool (*should_stop)(void*),
                                  void* stop_ctx) const {
  out->sentences.assign(sentence_count, SentimentScore{});
  for (size_t k = 0; k < sentence_count; ++k) {
    if (should_stop != nullptr && (k % 64) == 0 && should_stop(stop_ctx)) break;
    const docanalysis_sentence& s = sentences[k];
    if (s.token_begin >= s.token_end || s.token_end > token_count) continue;
    out->sentences[k] = ScoreTokens(text, tokens + s.token_begin, tokens + s.token_end, options.scoring);
  }
  out->document = Aggregate(out->sentences, options);
}

DocumentScore VaderAnalyzer::ScoreDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                           const docanalysis_sentence* sentences, size_t sentence_count,
                                           const DocumentOptions& options, bool (*should_stop)(void*),
                                           void* stop_ctx) const {
  DocumentScore out;
  ScoreDocument(text, tokens, token_count, sentences, sentence_count, options, &out, should_stop, stop_ctx);
  return out;
}

}  // namespace docanalysis::sentiment
