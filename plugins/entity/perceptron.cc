#include "perceptron.h"

#include <algorithm>
#include <cmath>

#include "hash_table.h"
#include "viterbi.h"

namespace docanalysis::entity {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
  uint64_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

struct Sentence {
  const uint32_t* ids;  // ids of all features of all tokens of the document
  const uint32_t* offsets;
  const uint8_t* gold;
  uint32_t begin, end;
};

StageWeights Export(const std::vector<uint64_t>& keys, const std::vector<float>& avg, const std::vector<float>& trans) {
  StageWeights w;
  std::vector<WeightTable::Entry> row;
  for (size_t f = 0; f < keys.size(); ++f) {
    row.clear();
    for (int l = 0; l < kNumLabels; ++l) {
      float v = avg[f * kNumLabels + l];
      if (std::fabs(v) > 1e-4f) row.push_back({v, static_cast<uint32_t>(l)});
    }
    w.emission.Add(keys[f], row);
  }
  w.trans = trans;
  return w;
}

}  // namespace

StageWeights TrainStage(const std::vector<const TrainDoc*>& docs, const TrainOptions& options,
                        const EpochCallback& on_epoch, int* best_epoch) {
  // Vocabulary: feature key -> dense id, in first-seen order (deterministic).
  FlatHashMap<uint32_t> counts;
  for (const TrainDoc* d : docs)
    for (uint64_t k : d->features.keys) ++counts.Insert(k, 0);
  FlatHashMap<uint32_t> ids;
  std::vector<uint64_t> keys;
  constexpr uint32_t kNone = 0xFFFFFFFFu;
  std::vector<std::vector<uint32_t>> doc_ids(docs.size());
  std::vector<std::vector<uint32_t>> doc_offsets(docs.size());
  for (size_t d = 0; d < docs.size(); ++d) {
    const FeatureMatrix& fm = docs[d]->features;
    std::vector<uint32_t>& out = doc_ids[d];
    std::vector<uint32_t>& off = doc_offsets[d];
    out.reserve(fm.keys.size());
    off.push_back(0);
    for (size_t i = 0; i < fm.token_count(); ++i) {
      for (uint32_t k = fm.offsets[i]; k < fm.offsets[i + 1]; ++k) {
        uint64_t key = fm.keys[k];
        if (static_cast<int>(*counts.Find(key)) < options.min_count) continue;
        uint32_t& id = ids.Insert(key, kNone);
        if (id == kNone) {
          id = static_cast<uint32_t>(keys.size());
          keys.push_back(key);
        }
        out.push_back(id);
      }
      off.push_back(static_cast<uint32_t>(out.size()));
    }
  }
  counts = FlatHashMap<uint32_t>();

  std::vector<Sentence> sentences;
  for (size_t d = 0; d < docs.size(); ++d)
    for (const Segment& s : docs[d]->segments)
      sentences.push_back({doc_ids[d].data(), doc_offsets[d].data(), docs[d]->gold.data(), s.begin, s.end});

  const size_t nf = keys.size();
  std::vector<float> w(nf * kNumLabels, 0.0f), u(nf * kNumLabels, 0.0f);
  std::vector<float> tw(kTransSize, 0.0f), tu(kTransSize, 0.0f);
  std::vector<float> emit, score_scratch;
  std::vector<uint8_t> pred, back_scratch;
  std::vector<size_t> order(sentences.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(options.seed);
  double c = 1.0;
  double best_score = -1;
  StageWeights best;
  int best_at = 0;

  auto update = [&](const Sentence& s, uint32_t i, int label, float delta) {
    const float cd = static_cast<float>(c * delta);
    for (uint32_t k = s.offsets[i]; k < s.offsets[i + 1]; ++k) {
      size_t idx = static_cast<size_t>(s.ids[k]) * kNumLabels + label;
      w[idx] += delta;
      u[idx] += cd;
    }
  };

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    size_t errors = 0;
    for (size_t oi : order) {
      const Sentence& s = sentences[oi];
      const uint32_t n = s.end - s.begin;
      emit.assign(static_cast<size_t>(n) * kNumLabels, 0.0f);
      for (uint32_t t = 0; t < n; ++t) {
        float* e = &emit[t * kNumLabels];
        for (uint32_t k = s.offsets[s.begin + t]; k < s.offsets[s.begin + t + 1]; ++k) {
          const float* row = &w[static_cast<size_t>(s.ids[k]) * kNumLabels];
          for (int l = 0; l < kNumLabels; ++l) e[l] += row[l];
        }
      }
      pred.resize(n);
      Viterbi(emit.data(), n, tw.data(), pred.data(), score_scratch, back_scratch);
      bool wrong = false;
      for (uint32_t t = 0; t < n; ++t) {
        int g = s.gold[s.begin + t], p = pred[t];
        int gp = t == 0 ? kNumLabels : s.gold[s.begin + t - 1];
        int pp = t == 0 ? kNumLabels : pred[t - 1];
        if (g != p) {
          wrong = true;
          update(s, s.begin + t, g, 1.0f);
          update(s, s.begin + t, p, -1.0f);
        }
        if (g != p || gp != pp) {
          tw[gp * kNumLabels + g] += 1.0f;
          tu[gp * kNumLabels + g] += static_cast<float>(c);
          tw[pp * kNumLabels + p] -= 1.0f;
          tu[pp * kNumLabels + p] -= static_cast<float>(c);
        }
      }
      errors += wrong;
      c += 1.0;
    }
    // Averaged weights: w - u / c.
    std::vector<float> avg(w.size()), tavg(kTransSize);
    for (size_t i = 0; i < w.size(); ++i) avg[i] = w[i] - static_cast<float>(u[i] / c);
    for (size_t i = 0; i < kTransSize; ++i) tavg[i] = tw[i] - static_cast<float>(tu[i] / c);
    StageWeights current = Export(keys, avg, tavg);
    double score = on_epoch ? on_epoch(epoch, current) : epoch;
    (void)errors;
    if (score > best_score) {
      best_score = score;
      best = std::move(current);
      best_at = epoch;
    }
  }
  if (best_epoch) *best_epoch = best_at;
  return best;
}

StageWeights PruneStage(const StageWeights& stage, float threshold) {
  std::vector<std::pair<uint64_t, std::vector<WeightTable::Entry>>> rows;
  stage.emission.ForEach([&](uint64_t key, const WeightTable::Entry* e, uint32_t n) {
    std::vector<WeightTable::Entry> kept;
    for (uint32_t j = 0; j < n; ++j)
      if (std::fabs(e[j].weight) >= threshold) kept.push_back(e[j]);
    if (!kept.empty()) rows.emplace_back(key, std::move(kept));
  });
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  StageWeights out;
  for (const auto& [key, entries] : rows) out.emission.Add(key, entries);
  out.trans = stage.trans;
  return out;
}

StageWeights AverageStages(const std::vector<StageWeights>& stages) {
  if (stages.size() == 1) return stages[0];
  FlatHashMap<uint32_t> rows;
  std::vector<uint64_t> keys;
  std::vector<float> sums;
  std::vector<float> trans(kTransSize, 0.0f);
  const float scale = 1.0f / static_cast<float>(stages.size());
  for (const StageWeights& s : stages) {
    // Visit features in key order so that the result does not depend on table layout.
    std::vector<std::pair<uint64_t, std::vector<WeightTable::Entry>>> sorted;
    s.emission.ForEach([&](uint64_t key, const WeightTable::Entry* e, uint32_t n) {
      sorted.emplace_back(key, std::vector<WeightTable::Entry>(e, e + n));
    });
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, entries] : sorted) {
      uint32_t& row = rows.Insert(key, 0xFFFFFFFFu);
      if (row == 0xFFFFFFFFu) {
        row = static_cast<uint32_t>(keys.size());
        keys.push_back(key);
        sums.resize(sums.size() + kNumLabels, 0.0f);
      }
      for (const WeightTable::Entry& e : entries) sums[row * kNumLabels + e.label] += e.weight * scale;
    }
    for (size_t i = 0; i < kTransSize; ++i) trans[i] += s.trans[i] * scale;
  }
  return Export(keys, sums, trans);
}

}  // namespace docanalysis::entity
