// VaderLexicon: the word knowledge of the VADER sentiment method (Hutto & Gilbert, ICWSM 2014).
//
// Holds, for fast lookup by word: the valence of each lexicon entry (-4..4, from the package's
// vader_lexicon.txt), the booster/dampener increment of degree adverbs, the negation words, the
// special-case idioms, and the English description of each emoji (emoji_utf8_lexicon.txt). All of
// it is read from the files that the build fetches from the pinned `vaderSentiment` 3.3.2 package
// (see fetch_lexicon.py); none of it is typed in here.
//
// OWNERSHIP: a VaderLexicon owns all of its strings; the string_views it hands out live as long as
// it does. THREADING: immutable after Load(), safe to read from any number of threads.
//
//   std::string error;
//   std::unique_ptr<VaderLexicon> lex = VaderLexicon::Load("/path/to/plugin/dir", &error);
//   if (lex == nullptr) { /* error says which file and line */ }
//   const WordInfo* w = lex->Find("good");  // w->valence == 1.9
#ifndef DOCANALYSIS_PLUGINS_SENTIMENT_VADER_LEXICON_H_
#define DOCANALYSIS_PLUGINS_SENTIMENT_VADER_LEXICON_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace docanalysis::sentiment {

// Decodes the UTF-8 code point of `s` at byte `*i` and advances `*i` past it; a malformed byte
// yields U+FFFD and advances by one.
char32_t DecodeUtf8(std::string_view s, size_t* i);

// Function words that the VADER rules test for by name.
enum class Special : uint8_t {
  kNone = 0,
  kBut,
  kNo,
  kLeast,
  kKind,
  kOf,
  kNever,
  kSo,
  kThis,
  kWithout,
  kDoubt,
  kAt,
  kVery,
  kOr,
  kNor,
};

// What the lexicon knows about one (lower-case) word.
struct WordInfo {
  float valence = 0.0f;  // mean human rating, -4..4, when in_lexicon
  float booster = 0.0f;  // signed increment (+0.293 booster, -0.293 dampener), when is_booster
  bool in_lexicon = false;
  bool is_booster = false;
  bool is_negation = false;
  bool starts_phrase = false;          // first word of a multi-word lexicon entry or idiom
  bool starts_booster_phrase = false;  // first word of a multi-word degree phrase ("kind of")
  bool second_in_phrase = false;       // second word of a multi-word lexicon entry or idiom
  Special special = Special::kNone;
};

class VaderLexicon {
 public:
  // Reads vader_lexicon.txt, emoji_utf8_lexicon.txt and vader_rules.tsv from `dir`. Returns nullptr
  // and sets *error on a missing or malformed file.
  static std::unique_ptr<VaderLexicon> Load(const std::string& dir, std::string* error);

  // The entry for `word` (exact bytes, callers pass lower case), or nullptr.
  const WordInfo* Find(std::string_view word) const {
    return word.size() <= 15 ? FindCompact(word) : words_.Find(word);
  }
  // The entry of a lexicon word written with capitals (emoticons such as ":D"), or nullptr.
  const WordInfo* FindExact(std::string_view word) const;
  // The valence of a multi-word entry ("w1 w2" or "w1 w2 w3", lower case): an idiom of the method
  // ("the bomb", "kiss of death") or a lexicon phrase ("fed up"); false when there is none.
  bool FindIdiom(std::string_view phrase, float* valence) const;
  bool FindLexiconPhrase(std::string_view phrase, float* valence) const;
  // True if some idiom or multi-word lexicon entry starts with these two words ("w1 w2").
  bool StartsPhrase(std::string_view two_words) const { return phrase_prefixes_.Find(two_words) != nullptr; }
  // The booster increment of a multi-word degree phrase ("kind of", "sort of"), or 0.
  float PhraseBooster(std::string_view phrase) const;
  // The description words of emoji code point `cp` ("grinning", "face"), or nullptr.
  const std::vector<std::string_view>* EmojiWords(char32_t cp) const;
  size_t lexicon_size() const { return lexicon_entries_; }
  size_t emoji_size() const { return emoji_.size(); }

 private:
  VaderLexicon() = default;
  const WordInfo* FindCompact(std::string_view word) const;
  WordInfo& Upsert(std::string_view word);
  void AddPhrasePrefix(std::string_view phrase);

  // Open-addressing table (linear probing, load <= 1/2). A slot packs the key's 32-bit hash tag with
  // its entry index + 1 (0 = empty), so most misses never touch the entries.
  struct Table {
    std::vector<uint64_t> slots;
    std::vector<std::pair<std::string, WordInfo>> entries;
    const WordInfo* Find(std::string_view key) const;
    WordInfo& Upsert(std::string_view key);
    void Grow();
  };
  Table words_;
  Table exact_;
  Table idioms_;           // valence in WordInfo::valence
  Table phrases_;          // multi-word lexicon entries, valence in WordInfo::valence
  Table phrase_boosters_;  // increment in WordInfo::booster
  Table phrase_prefixes_;  // the first two words of every idiom and multi-word lexicon entry

  // The lookup index of words_ for keys of at most 15 bytes (nearly all words): one 32-byte slot
  // holds the key, its length and its WordInfo, so a lookup touches one cache line. Built at the
  // end of Load(); longer keys are looked up in words_.
  struct alignas(32) CompactSlot {
    uint64_t lo = 0;  // key bytes 0-7, zero-padded, byte i at bits 8i
    uint64_t hi = 0;  // key bytes 8-14 and the length in the top byte; 0 = empty
    WordInfo info;
  };
  void BuildCompactIndex();
  std::vector<CompactSlot> compact_;
  // A 16 KB Bloom filter (two bits per key) in front of compact_: most words of a text are not in
  // the lexicon, and this answers them from L1 cache without touching the table.
  static constexpr size_t kBloomBits = 1 << 17;
  std::vector<uint64_t> bloom_;
  std::unordered_map<char32_t, std::vector<std::string_view>> emoji_;
  std::vector<std::unique_ptr<std::string>> emoji_text_;  // owns the description strings
  size_t lexicon_entries_ = 0;
};

}  // namespace docanalysis::sentiment

#endif  // DOCANALYSIS_PLUGINS_SENTIMENT_VADER_LEXICON_H_
