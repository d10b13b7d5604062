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
#include "word_clusters.h"
#include "text_util.h"

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

// What the features know about one token on its own (gazetteer bits come from the phrase match).
struct TokenInfo {
  uint64_t word, lower, shape, short_shape;
  uint64_t prefix[4], suffix[4];
  uint64_t hyphen_first, hyphen_last;
  uint32_t gaz;
  CapClass caps;
  uint8_t length_bucket;
  bool letters;
  bool numeric;  // IsNumeric
  int32_t gaz_first;  // Gazetteer::FirstValue of `lower` when ExtractOptions::info says so
  uint32_t cluster;   // WordClusters::Find of `lower` (0: unknown word or no clusters)
};

// Fills `t` (all but `gaz`, `gaz_first` and `cluster`) for the token text `w`; `scratch` is reused.
void FillTokenInfo(std::string_view w, TokenInfo& t, std::string& scratch);

// The keys of the word-type features of a token: those that depend only on the token itself
// ("static": word, lower-cased word, shapes, affixes, length x caps, hyphen parts), and those that
// depend only on it as a neighbour at -2, -1, +1, +2 (its lower-cased word, short shape and word
// clusters). The
// serving path scores these once per distinct word and caches the sums; Extract() omits them when
// told to (ExtractOptions::omit_word_type).
struct WordTypeKeys {
  enum Kind { kStatic = 0, kAsPrev1 = 1, kAsNext1 = 2, kAsPrev2 = 3, kAsNext2 = 4, kKinds = 5 };
  uint64_t keys[36];
  uint8_t begin[kKinds + 1];  // keys of kind k: keys[begin[k] .. begin[k + 1])
};
// `has_clusters`: the model has word clusters (then every word gets cluster keys, id 0 if unknown).
void WordTypeKeysOf(const TokenInfo& t, WordTypeKeys* out, bool has_clusters);
// The neighbour keys of the sentence boundaries: kAsPrev1/kAsPrev2 for "before the first token"
// and kAsNext1/kAsNext2 for "after the last" (kStatic is empty).
void BoundaryKeys(WordTypeKeys* out);

struct ExtractOptions {
  // Leave out the word-type keys (WordTypeKeysOf); the caller adds their scores itself.
  bool omit_word_type = false;
  // Token infos computed by the caller (one per token, `gaz` is recomputed); null = compute here.
  const std::vector<TokenInfo>* info = nullptr;
  // With `info`: its gaz_first fields are filled (Gazetteer::FirstValue), saving a lookup per token.
  bool info_has_gaz_first = false;
};

class FeatureExtractor {
 public:
  // `gazetteer` must outlive the extractor; it may be empty.
  // With `caseless`, the extractor serves the caseless regime: the text it is given is lower-cased
  // (documents written all in lower case or all in capitals), so case carries no evidence and the
  // features that are kept for capitalised words only are computed for every word with letters.
  // `clusters`, if given, must outlive the extractor too; it fills TokenInfo::cluster of the tokens
  // whose infos are computed here (callers that pass ExtractOptions::info fill it themselves).
  explicit FeatureExtractor(const Gazetteer* gazetteer, bool caseless = false, const WordClusters* clusters = nullptr)
      : gazetteer_(gazetteer), clusters_(clusters), caseless_(caseless) {}

  // Extracts the features of `doc` split into `segments`. `stage1_labels`, if not null, holds a
  // label per token from the first stage and adds the second-stage features. `stage1_features`,
  // if given with the labels, must be this document's first-stage features (from a call without
  // labels): they are copied instead of recomputed.
  void Extract(const DocView& doc, const std::vector<Segment>& segments, const uint8_t* stage1_labels,
               FeatureMatrix* out, const FeatureMatrix* stage1_features = nullptr,
               const ExtractOptions& options = ExtractOptions()) const;

 private:
  const Gazetteer* gazetteer_;
  const WordClusters* clusters_;
  bool caseless_;
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_NER_FEATURES_H_
