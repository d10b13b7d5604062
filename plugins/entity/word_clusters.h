// WordClusters: word classes learned from unlabelled English text, looked up by lower-cased word.
//
// Each known word carries a cluster id at three granularities (fine, mid, coarse: a hierarchy in
// which every fine cluster belongs to one mid cluster and every mid cluster to one coarse one), so
// that the tagger can generalise from names it was trained on to words it never saw that are used
// alike ("Kiamba" next to other place names). The clusters are computed offline by
// docanalysis-word-clusters (k-means over pretrained word vectors, see MODEL_CARD.md) and embedded
// in the model as hashes of the words, so the model carries no strings.
//
// THREADING: immutable after building; Find() is safe to call concurrently.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_WORD_CLUSTERS_H_
#define DOCANALYSIS_PLUGINS_ENTITY_WORD_CLUSTERS_H_

#include <cstdint>
#include <string_view>

#include "binary_io.h"
#include "hash_table.h"

namespace docanalysis::entity {

class WordClusters {
 public:
  static constexpr uint32_t kMaxFine = 4095;   // ids are 1-based; 0 = unknown word
  static constexpr uint32_t kMaxMid = 1023;
  static constexpr uint32_t kMaxCoarse = 1023;

  // The packed ids of a word: fine in bits 0-11, mid in 12-21, coarse in 22-31; 0 = unknown.
  static uint32_t Fine(uint32_t packed) { return packed & 0xFFF; }
  static uint32_t Mid(uint32_t packed) { return (packed >> 12) & 0x3FF; }
  static uint32_t Coarse(uint32_t packed) { return packed >> 22; }

  // Adds a word (lower-case) with its 1-based ids. Returns false if an id is out of range.
  bool Add(std::string_view lower_word, uint32_t fine, uint32_t mid, uint32_t coarse);

  // The packed ids of the word whose lower-cased hash (Gazetteer::TokenKey / TokenInfo::lower) is
  // `lower_key`, or 0.
  uint32_t Find(uint64_t lower_key) const {
    if (table_.size() == 0) return 0;
    const uint32_t* v = table_.Find(lower_key);
    return v == nullptr ? 0 : *v;
  }

  size_t size() const { return table_.size(); }

  void Write(BinaryWriter& w) const;
  bool Read(BinaryReader& r);

 private:
  FlatHashMap<uint32_t> table_;
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_WORD_CLUSTERS_H_
