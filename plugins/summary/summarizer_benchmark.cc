// Benchmarks of the summary plugin's analyze (through its C ABI table, as the host calls it) on the
// CNN/DM eval articles, pre-segmented by the host's segmenter, and of the summarizer on synthetic
// documents of growing size (near-linear time).
//
//   <build>/summary/summary_benchmark --benchmark_filter=CnnDm
// items_per_second of BM_PluginAnalyzeCnnDm is articles per second on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docanalysis/plugin.h"
#include "service/text/segmenter.h"
#include "summarizer.h"

extern "C" const docanalysis_plugin_api* docanalysis_plugin_get_api(void);

namespace {

struct Doc {
  std::string text;
  docanalysis::text::Segmentation seg;
};

const std::vector<Doc>& CnnDm() {
  static const std::vector<Doc>* docs = [] {
    auto* out = new std::vector<Doc>;
    std::ifstream in(DOCANALYSIS_CNNDM_PATH);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      Doc d;
      d.text = nlohmann::json::parse(line).value("article", "");
      d.seg = docanalysis::text::Segment(d.text);
      out->push_back(std::move(d));
    }
    return out;
  }();
  return *docs;
}

void BM_PluginAnalyzeCnnDm(benchmark::State& state) {
  const std::vector<Doc>& docs = CnnDm();
  if (docs.empty()) {
    state.SkipWithError("no CNN/DM articles at " DOCANALYSIS_CNNDM_PATH);
    return;
  }
  const docanalysis_plugin_api* api = docanalysis_plugin_get_api();
  docanalysis_option create_opt{docanalysis::ToStr("max_sentences"), docanalysis::ToStr("3")};
  docanalysis_create_args args{};
  args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
  args.plugin_dir = docanalysis::ToStr(".");
  args.options = &create_opt;
  args.option_count = 1;
  void* instance = nullptr;
  if (api->create(&args, &instance) != DOCANALYSIS_OK) {
    state.SkipWithError("create failed");
    return;
  }
  size_t picked = 0;
  docanalysis_sink sink{};
  sink.ctx = &picked;
  sink.add_summary_sentence = [](void* ctx, uint32_t, float) { ++*static_cast<size_t*>(ctx); };
  sink.set_error = [](void*, docanalysis_str) {};
  docanalysis_option opt{docanalysis::ToStr("max_sentences"), docanalysis::ToStr("3")};
  size_t i = 0;
  for (auto _ : state) {
    const Doc& d = docs[i++ % docs.size()];
    docanalysis_document doc{};
    doc.text = docanalysis::ToStr(d.text);
    doc.tokens = d.seg.tokens.data();
    doc.token_count = d.seg.tokens.size();
    doc.sentences = d.seg.sentences.data();
    doc.sentence_count = d.seg.sentences.size();
    doc.options = &opt;
    doc.option_count = 1;
    benchmark::DoNotOptimize(api->analyze(instance, &doc, &sink));
  }
  api->destroy(instance);
  state.SetItemsProcessed(state.iterations());
  state.counters["sentences_per_summary"] = static_cast<double>(picked) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_PluginAnalyzeCnnDm);

// A synthetic document of state.range(0) sentences.
std::string Synthetic(int sentences) {
  static const char* kWords[] = {"river", "election", "harbour", "vaccine", "railway", "festival", "budget",
                                 "council", "storm",  "market",   "school",  "hospital", "bridge",  "court"};
  std::string text;
  unsigned x = 12345;
  for (int i = 0; i < sentences; ++i) {
    text += "The";
    for (int w = 0; w < 18; ++w) {
      x = x * 1103515245u + 12345u;
      text += " ";
      text += kWords[(x >> 16) % 14];
    }
    text += ". ";
  }
  return text;
}

void BM_SummarizeSynthetic(benchmark::State& state) {
  std::string text = Synthetic(static_cast<int>(state.range(0)));
  docanalysis::text::Segmentation seg = docanalysis::text::Segment(text);
  docanalysis::summary::Summarizer summarizer;
  docanalysis::summary::Options options;
  for (auto _ : state) {
    benchmark::DoNotOptimize(summarizer.Summarize(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                  seg.sentences.size(), options));
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_SummarizeSynthetic)->RangeMultiplier(10)->Range(10, 10000)->Complexity();

}  // namespace

BENCHMARK_MAIN();
