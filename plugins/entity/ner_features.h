// Feature extraction for the entity tagger.
//
// Turns a segmented document (the host's tokens and sentences) into, for every token, a list of
// 64-bit feature keys: word, lowercased word, shapes, prefixes and suffixes, neighbouring words
// and shapes, sentence position and capitalisation in context, gazetteer membership, and
// document-level evidence (how the same word is capitalised elsewhere in the document). For the
// second tagging stage, features from the first stage's labels across the whole document are
// added (the same word labelled elsewhere; a word that is part of a longer entity elsewhere,
// e.g. a surname after the full name).
//
// THREADING: FeatureExtractor is immutable after construction; Extract() is safe to call
// concurrently (all per-document state is in the output and locals).
#ifndef DOCANALYSIS_PLUGINS_ENTITY_NER_FEATURES_H_
#define DOCANALYSIS_PLUGINS_ENTITY_NER_FEATURES_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "gazetteer.h"

namespace docanalysis::entity {

// A read-only view of a segmented document (offsets are bytes into `text`).
struct DocView {
  std::string_view text;
  const docanalysis_token* tokens = nullptr;
  size_t token_count = 0;
  const docanalysis_sentence* sentences = nullptr;
  size_t sentence_count = 0;
};

// A run of tokens decoded together: [begin, end) token indices.
struct Segment {
  uint32_t begin;
  uint32_t end;
};

// The token ranges of the document's sentences, validated (in range, ordered, non-overlapping);
// tokens that no sentence covers form segments of their own.
std::vector<Segment> SegmentsOf(const DocView& doc);

// Splits possessive endings off word tokens ("Clinton's" -> "Clinton" + "'s", also with U+2019),
// as CoNLL tokenises them, so that the entity ends before the "'s". Returns false (and leaves the
// outputs empty) when no token needs splitting.
bool SplitPossessives(const DocView& doc, std::vector<docanalysis_token>* tokens,
                      std::vector<docanalysis_sentence>* sentences);

// The features of every token of one document.
struct FeatureMatrix {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> offsets;  // token i has keys[offsets[i] .. offsets[i+1])
  size_t token_count() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

class FeatureExtractor {
 public:
  // `gazetteer` must outlive the extractor; it may be empty.
  explicit FeatureExtractor(const Gazetteer* gazetteer) : gazetteer_(gazetteer) {}

  // Extracts the features of `doc` split into `segments`. `stage1_labels`, if not null, holds a
  // label per token from the first stage and adds the second-stage features. `stage1_features`,
  // if given with the labels, must be this document's first-stage features (from a call without
  // labels): they are copied instead of recomputed.
  void Extract(const DocView& doc, const std::vector<Segment>& segments, const uint8_t* stage1_labels,
               FeatureMatrix* out, const FeatureMatrix* stage1_features = nullptr) const;

 private:
  const Gazetteer* gazetteer_;
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_NER_FEATURES_H_
