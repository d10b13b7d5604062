// Training of the syntax model from CoNLL-U documents, and its evaluation (with gold words, and end
// to end from raw text through the host's tokens and sentences). Used by docanalysis-syntax-train
// and the quality test.
//
// Determinism: every step visits data in a fixed or fixed-seed order and writes tables in sorted
// order, so the same data and options give the same model bytes.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_TRAIN_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_TRAIN_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "conllu.h"
#include "model.h"

namespace docanalysis::syntax {

// The host's segmentation of a text (tokens and sentences), as the plugin receives it.
struct HostSegmentation {
  std::vector<docanalysis_token> tokens;
  std::vector<docanalysis_sentence> sentences;
};
using Segmenter = std::function<HostSegmentation(const std::string& text)>;

struct TrainOptions {
  int tagger_epochs = 12;   // at most; the best epoch on dev is kept
  int parser_epochs = 15;   // at most; the best epoch on dev is kept
  int explore_from = 2;     // dynamic-oracle exploration from this epoch on (1-based)
  double explore_p = 0.9;   // probability of following a wrong prediction
  int folds = 4;            // jackknifed tags for the parser's training data (0: gold tags)
  float prune = 0.0f;       // averaged weights smaller than this are dropped
  uint64_t seed = 20181231;
  int feature_hash = 1;     // SyntaxModel::feature_hash (1 or 2)
  bool verbose = true;
};

// Learns the word splitter and merges (host tokens -> UD words) from the treebank's documents.
void LearnSplitter(const std::vector<GoldDoc>& docs, const Segmenter& segment, WordSplitter* splitter, bool verbose);

SyntaxModel Train(const std::vector<GoldDoc>& train, const std::vector<GoldDoc>& dev, const Segmenter& segment,
                  const TrainOptions& options);

struct Scores {
  double words = 0, upos = 0, xpos = 0, feats = 0, lemma = 0, uas = 0, las = 0;  // F1 (or accuracy) in %
  size_t gold = 0, predicted = 0;
  std::string ToString() const;
};

// Gold words in, everything else predicted.
Scores EvaluateGoldWords(const SyntaxModel& model, const std::vector<GoldDoc>& docs);
// Raw document text in, through `segment` and the plugin's own path; scored like the CoNLL 2018
// shared task (words aligned by span, F1; LAS on the universal part of the relation).
// With `errors`, writes the gold words and the predicted words that found no partner, one a line.
Scores EvaluateEndToEnd(const SyntaxModel& model, const std::vector<GoldDoc>& docs, const Segmenter& segment,
                        const AnalyzeOptions& options, std::FILE* errors = nullptr);

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_TRAIN_H_
