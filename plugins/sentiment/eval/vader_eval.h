// Measures the sentiment analyzer on VADER's human-rated sets (vader_groundtruth.json from the
// shared eval folder, never copied into the project): every text goes through the host's segmenter
// and VaderAnalyzer::ScoreDocument, exactly as the plugin runs it in the server.
//
// Figures: Pearson r of the document score against the mean human rating, per set and over all,
// and 3-class accuracy (positive >= 0.05, negative <= -0.05, on the score and on rating / 4).
//
// THREADING: functions are pure; safe to call concurrently on different data.
#ifndef DOCANALYSIS_PLUGINS_SENTIMENT_EVAL_VADER_EVAL_H_
#define DOCANALYSIS_PLUGINS_SENTIMENT_EVAL_VADER_EVAL_H_

#include <string>
#include <vector>

#include "vader.h"

namespace docanalysis::sentiment::eval {

struct Item {
  std::string set;
  std::string text;
  double gold = 0.0;  // mean human rating, -4..4
};

// Reads the ground-truth JSON; returns false and sets *error on failure.
bool LoadGroundTruth(const std::string& path, std::vector<Item>* items, std::string* error);

struct SetFigures {
  std::string set;  // "all", "tweets", "movie", "amazon", "nyt"
  size_t count = 0;
  double pearson = 0.0;
  double accuracy = 0.0;
};

struct Figures {
  std::vector<SetFigures> sets;  // "all" first
  std::vector<double> predictions;
  const SetFigures* Find(const std::string& set) const;
};

double Pearson(const std::vector<double>& x, const std::vector<double>& y);
int ThreeClass(double v);

// Scores every item (host segmenter + ScoreDocument) and computes the figures.
Figures Evaluate(const VaderAnalyzer& analyzer, const DocumentOptions& options, const std::vector<Item>& items);

}  // namespace docanalysis::sentiment::eval

#endif  // DOCANALYSIS_PLUGINS_SENTIMENT_EVAL_VADER_EVAL_H_
