// Google Benchmark of the sentiment analyzer on the texts of VADER's human-rated sets (read at run
// time from $DOCANALYSIS_SHARED_DIR or the configured shared folder; never copied into the project).
// items_per_second = texts per second, on one core.
//
//   BM_ScoreText        VADER on the raw text, split at whitespace: the same work as Python's
//                       SentimentIntensityAnalyzer.polarity_scores(text) (compare_vader_speed.sh).
//   BM_ScoreDocument    what the plugin does per request: every sentence from the host's segmenter
//                       plus the document aggregate (segmentation done beforehand, by the host).
//   BM_SegmentAndScore  the host's segmenter and the plugin together.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "eval/vader_eval.h"
#include "service/text/segmenter.h"
#include "vader.h"
#include "vader_lexicon.h"

namespace docanalysis::sentiment {
namespace {

struct Corpus {
  std::unique_ptr<VaderLexicon> lexicon;
  std::vector<std::string> texts;
  std::vector<text::Segmentation> segmented;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus();
    std::string error;
    c->lexicon = VaderLexicon::Load(SENTIMENT_LEXICON_DIR, &error);
    if (!c->lexicon) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(1);
    }
    const char* env = std::getenv("DOCANALYSIS_SHARED_DIR");
    std::string shared = (env != nullptr && *env != '\0') ? env : DOCANALYSIS_SHARED_DIR;
    std::vector<eval::Item> items;
    if (!eval::LoadGroundTruth(shared + "/eval/sentiment/vader_groundtruth.json", &items, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(1);
    }
    for (auto& item : items) {
      c->segmented.push_back(text::Segment(item.text));
      c->texts.push_back(std::move(item.text));
    }
    return c;
  }();
  return *corpus;
}

void BM_ScoreText(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  VaderAnalyzer analyzer(c.lexicon.get());
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(analyzer.ScoreText(c.texts[i]));
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreText);

void BM_ScoreDocument(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  VaderAnalyzer analyzer(c.lexicon.get());
  DocumentOptions options;
  DocumentScore out;  // reused, as the plugin reuses one per thread
  size_t i = 0;
  for (auto _ : state) {
    const text::Segmentation& s = c.segmented[i];
    analyzer.ScoreDocument(c.texts[i], s.tokens.data(), s.tokens.size(), s.sentences.data(), s.sentences.size(),
                           options, &out);
    benchmark::DoNotOptimize(out.document);
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreDocument);

void BM_SegmentAndScore(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  VaderAnalyzer analyzer(c.lexicon.get());
  DocumentOptions options;
  DocumentScore out;
  size_t i = 0;
  for (auto _ : state) {
    text::Segmentation s = text::Segment(c.texts[i]);
    analyzer.ScoreDocument(c.texts[i], s.tokens.data(), s.tokens.size(), s.sentences.data(), s.sentences.size(),
                           options, &out);
    benchmark::DoNotOptimize(out.document);
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SegmentAndScore);

}  // namespace
}  // namespace docanalysis::sentiment

BENCHMARK_MAIN();
