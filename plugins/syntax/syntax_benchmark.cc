// Google Benchmark of the syntax model: tagging + parsing (word splitting included) of the UD
// English-EWT test documents, segmented by the host beforehand; items are syntactic words. Also
// the model's load time.
//
//   <build>/syntax/docanalysis_syntax_benchmark --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "service/text/segmenter.h"
#include "train.h"

namespace docanalysis::syntax {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("DOCANALYSIS_SHARED_DIR");
  return env && *env ? env : DOCANALYSIS_SHARED_DIR_DEFAULT;
}

struct Corpus {
  std::vector<std::string> texts;
  std::vector<text::Segmentation> segs;
};

const Corpus& TestCorpus() {
  static Corpus* c = [] {
    auto* corpus = new Corpus;
    for (GoldDoc& d : ReadConllu(SharedDir() + "/eval/syntax/en_ewt-ud-test.conllu")) {
      corpus->segs.push_back(text::Segment(d.text));
      corpus->texts.push_back(std::move(d.text));
    }
    return corpus;
  }();
  return *c;
}

// The shipped model, or the one DOCANALYSIS_SYNTAX_MODEL names (to compare models).
std::string ModelPath() {
  const char* env = std::getenv("DOCANALYSIS_SYNTAX_MODEL");
  return env && *env ? env : DOCANALYSIS_SYNTAX_MODEL_PATH;
}

const SyntaxModel& Model() {
  static SyntaxModel* m = [] {
    auto* model = new SyntaxModel;
    std::string error;
    if (!model->Load(ModelPath(), &error)) std::abort();
    return model;
  }();
  return *m;
}

void BM_TagAndParse(benchmark::State& state) {
  const Corpus& c = TestCorpus();
  const SyntaxModel& m = Model();
  SyntaxModel::Scratch scratch;
  std::vector<OutToken> out;
  int64_t words = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < c.texts.size(); ++i) {
      out.clear();
      m.AnalyzeDocument(c.texts[i], c.segs[i].tokens.data(), c.segs[i].tokens.size(), c.segs[i].sentences.data(),
                        c.segs[i].sentences.size(), AnalyzeOptions(), scratch, &out, nullptr);
      words += static_cast<int64_t>(out.size());
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(words);
}
BENCHMARK(BM_TagAndParse)->Unit(benchmark::kMillisecond);

void BM_LoadModel(benchmark::State& state) {
  for (auto _ : state) {
    SyntaxModel m;
    std::string error;
    if (!m.Load(ModelPath(), &error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(m.labels.data());
  }
}
BENCHMARK(BM_LoadModel)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace docanalysis::syntax

BENCHMARK_MAIN();
