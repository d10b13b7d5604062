// Gazetteer: multi-token phrase lists (countries, cities, regions, first names, ...) matched
// against a token sequence, case-insensitively.
//
// Phrases are stored as hashes of their lowercased tokens, so the gazetteer carries no strings
// and is embedded in the model file by the trainer (the lists come from packages fetched at
// build/training time; see MODEL_CARD.md). Matching reports, for every token, which categories
// cover it and at which position (B, I, L, or U for a one-token match), as a bit set.
//
// THREADING: immutable after building; Match() is safe to call concurrently.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_GAZETTEER_H_
#define DOCANALYSIS_PLUGINS_ENTITY_GAZETTEER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "binary_io.h"
#include "hash_table.h"

namespace docanalysis::entity {

class Gazetteer {
 public:
  static constexpr int kMaxCategories = 8;
  static constexpr int kMaxPhraseTokens = 8;

  // Position of a token inside a match, as bits of GazBits: bit (category * 4 + position).
  enum Position { kBegin = 0, kInside = 1, kLast = 2, kUnit = 3 };

  // Hash of one lowercased token, as used for phrase keys.
  static uint64_t TokenKey(std::string_view lower_token);

  // Adds a phrase given as lowercased tokens. Phrases longer than kMaxPhraseTokens are skipped.
  void Add(const std::vector<std::string>& lower_tokens, int category);

  // For tokens with keys `token_keys[0..n)`, ORs into bits[i] (size n) the (category, position)
  // bits of the longest match of each category starting at each token.
  // `first`, if given, holds FirstValue() of each token (so that callers can cache it per word).
  void Match(const uint64_t* token_keys, size_t n, uint32_t* bits, const int32_t* first = nullptr) const;
  // The table value of the one-token prefix `token_key` (phrases starting with it), or -1.
  int32_t FirstValue(uint64_t token_key) const;

  size_t size() const { return phrases_; }
  size_t entries() const { return table_.size(); }
  const std::vector<std::string>& category_names() const { return category_names_; }
  void set_category_names(std::vector<std::string> names) { category_names_ = std::move(names); }

  void Write(BinaryWriter& w) const;
  bool Read(BinaryReader& r);

 private:
  static constexpr uint16_t kPrefixBit = 0x8000;
  // Value: low byte = category mask of phrases ending here; kPrefixBit = a longer phrase exists.
  FlatHashMap<uint16_t> table_;
  size_t phrases_ = 0;
  std::vector<std::string> category_names_;
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_GAZETTEER_H_
