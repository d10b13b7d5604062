// Benchmarks of the entity plugin (one core, in-process):
//   BM_ModelLoad       loading the shipped model (plus the resident memory it adds)
//   BM_AnalyzeNews     EntityPlugin::Analyze on news text (CoNLL-2003 eng.testb documents rebuilt
//                      as the service receives them, plus the sample article), tokens per second
//   BM_AnalyzeSample   the sample news article alone
// Segmentation is done once up front by the host segmenter, as the host does before calling
// plugins; only the plugin's analyze is timed.
//
//   docanalysis_entity_benchmark --benchmark_filter=. [DOCANALYSIS_SHARED_DIR=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "conll.h"
#include "entity_plugin.h"
#include "service/text/segmenter.h"

namespace docanalysis::entity {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("DOCANALYSIS_SHARED_DIR");
  return env && *env ? env : DOCANALYSIS_SHARED_DIR_DEFAULT;
}

std::string ModelDir() {
  std::string p = DOCANALYSIS_ENTITY_MODEL_PATH;
  return p.substr(0, p.rfind('/'));
}

docanalysis::PluginConfig Config() {
  std::string dir = ModelDir();
  docanalysis_create_args args{};
  args.plugin_dir = docanalysis::ToStr(dir);
  return docanalysis::PluginConfig(args);
}

long RssKb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

struct Doc {
  std::string text;
  docanalysis::text::Segmentation seg;
};

const std::vector<Doc>& NewsDocs() {
  static const std::vector<Doc>* docs = [] {
    auto* out = new std::vector<Doc>();
    std::ifstream in(SharedDir() + "/samples/000_ac263380b61652b0.txt");
    std::stringstream buf;
    buf << in.rdbuf();
    if (!buf.str().empty()) out->push_back({buf.str(), {}});
    try {
      for (ConllDoc& d : ReadConll(SharedDir() + "/eval/ner/eng.testb")) out->push_back({std::move(d.text), {}});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
    }
    for (Doc& d : *out) d.seg = docanalysis::text::Segment(d.text);
    return out;
  }();
  return *docs;
}

size_t Analyze(EntityPlugin& plugin, const Doc& d) {
  docanalysis_document raw{};
  raw.text = docanalysis::ToStr(d.text);
  raw.tokens = d.seg.tokens.data();
  raw.token_count = d.seg.tokens.size();
  raw.sentences = d.seg.sentences.data();
  raw.sentence_count = d.seg.sentences.size();
  size_t count = 0;
  docanalysis_sink s{};
  s.ctx = &count;
  s.add_entity_mention = [](void* c, uint32_t, uint32_t, int32_t, float, docanalysis_str) { ++*static_cast<size_t*>(c); };
  docanalysis::Document doc(raw);
  docanalysis::Sink sink(s);
  plugin.Analyze(doc, sink);
  return count;
}

void BM_ModelLoad(benchmark::State& state) {
  long before = RssKb();
  long added = 0;
  for (auto _ : state) {
    EntityPlugin plugin(Config());
    added = RssKb() - before;
    benchmark::DoNotOptimize(&plugin);
  }
  state.counters["rss_added_MB"] = static_cast<double>(added) / 1024.0;
}
BENCHMARK(BM_ModelLoad)->Unit(benchmark::kMillisecond);

void BM_AnalyzeNews(benchmark::State& state) {
  const std::vector<Doc>& docs = NewsDocs();
  if (docs.empty()) {
    state.SkipWithError("no news text under DOCANALYSIS_SHARED_DIR");
    return;
  }
  EntityPlugin plugin(Config());
  size_t tokens = 0, mentions = 0;
  for (auto _ : state) {
    for (const Doc& d : docs) {
      mentions += Analyze(plugin, d);
      tokens += d.seg.tokens.size();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(tokens));
  state.counters["tokens_per_second"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.counters["mentions"] = static_cast<double>(mentions) / state.iterations();
  state.counters["rss_MB"] = static_cast<double>(RssKb()) / 1024.0;
}
BENCHMARK(BM_AnalyzeNews)->Unit(benchmark::kMillisecond);

void BM_AnalyzeSample(benchmark::State& state) {
  const std::vector<Doc>& docs = NewsDocs();
  if (docs.empty()) {
    state.SkipWithError("no sample article");
    return;
  }
  EntityPlugin plugin(Config());
  size_t tokens = 0;
  for (auto _ : state) {
    Analyze(plugin, docs[0]);
    tokens += docs[0].seg.tokens.size();
  }
  state.counters["tokens_per_second"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalyzeSample)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace docanalysis::entity

BENCHMARK_MAIN();
