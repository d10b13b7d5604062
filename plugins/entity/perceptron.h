// Averaged structured perceptron training for one tagging stage.
//
// Deterministic: examples are visited in an order shuffled by a fixed-seed PRNG of our own, and
// all arithmetic is sequential, so the same data and options give the same model bytes.
//
// THREADING: single-threaded; TrainStage() owns all its state.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_PERCEPTRON_H_
#define DOCANALYSIS_PLUGINS_ENTITY_PERCEPTRON_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "ner_features.h"
#include "model.h"

namespace docanalysis::entity {

// One training document: features, decode segments and gold BILOU labels per token.
struct TrainDoc {
  FeatureMatrix features;
  std::vector<Segment> segments;
  std::vector<uint8_t> gold;
};

struct TrainOptions {
  int epochs = 10;
  uint64_t seed = 20030531;
  int min_count = 1;  // features seen fewer times in the training data are dropped
};

// Called after each epoch with the averaged weights so far; returns a dev score (higher is better).
using EpochCallback = std::function<double(int epoch, const StageWeights& averaged)>;

// Trains on `docs`; returns the averaged weights of the epoch with the best callback score (or
// of the last epoch when `on_epoch` is empty). Sets *best_epoch (1-based) if not null.
StageWeights TrainStage(const std::vector<const TrainDoc*>& docs, const TrainOptions& options,
                        const EpochCallback& on_epoch, int* best_epoch);

// Drops weights with |w| < threshold, and features left without weights.
StageWeights PruneStage(const StageWeights& stage, float threshold);

// The mean of several stages' weights (an exact ensemble of their scores, as the model is linear).
StageWeights AverageStages(const std::vector<StageWeights>& stages);

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_PERCEPTRON_H_
