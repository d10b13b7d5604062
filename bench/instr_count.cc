// docanalysis-instr-count: the work of the instruction-count regression guard (bench/instr_guard.py).
//
// Loads the plugins of --plugin_dir, reads --documents articles from --corpus (a JSONL file with a
// --text_field), and runs one phase at a time over all of them:
//   text          the text pipeline (UTF-8 check and segmentation)
//   <plugin>      each loaded plugin alone, through the C ABI, on the pre-segmented documents
//   service       the whole in-process AnalysisService::Analyze, all default features (plan, run, merge,
//                 offsets)
// Each phase runs once unmeasured (caches, lazy tables), then once measured. Under
// `valgrind --tool=callgrind --collect-atstart=no` the measured pass is the only code collected and
// ends with a dump named after the phase, so the dump's total is that phase's instruction count.
// Outside valgrind the client requests do nothing and the tool prints the wall time of each phase.
#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "service/core/analysis_service.h"
#include "service/core/result_collector.h"
#include "service/plugin_host/plugin_registry.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"

ABSL_FLAG(std::string, plugin_dir, "build/plugins", "Plugin folder");
ABSL_FLAG(std::string, corpus, "", "JSONL file of documents");
ABSL_FLAG(std::string, text_field, "article", "JSONL field holding each document's text");
ABSL_FLAG(int, documents, 20, "How many documents (the first N of the corpus)");
ABSL_FLAG(std::vector<std::string>, phases, {}, "Phases to run (default: text, every plugin, service)");

namespace {

using docanalysis::ResultCollector;

struct Doc {
  std::string text;
  docanalysis::text::Segmentation seg;
};

// Kept out of line so that the measured work is one call between the client requests.
template <typename Work>
__attribute__((noinline)) void Measure(const std::string& phase, size_t docs, Work work) {
  work();  // unmeasured: first-use initialisation stays out of the count
  auto t0 = std::chrono::steady_clock::now();
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  work();
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(phase.c_str());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("phase %s: %zu documents, %.2f ms\n", phase.c_str(), docs, ms);
}

bool Wanted(const std::string& phase) {
  const auto& phases = absl::GetFlag(FLAGS_phases);
  if (phases.empty()) return true;
  for (const auto& p : phases)
    if (p == phase) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_corpus));
  if (!in) {
    std::fprintf(stderr, "docanalysis-instr-count: cannot read --corpus %s\n", absl::GetFlag(FLAGS_corpus).c_str());
    return 2;
  }
  std::vector<Doc> docs;
  std::string line;
  while (static_cast<int>(docs.size()) < absl::GetFlag(FLAGS_documents) && std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    auto it = j.is_object() ? j.find(absl::GetFlag(FLAGS_text_field)) : j.end();
    if (!j.is_object() || it == j.end() || !it->is_string()) {
      std::fprintf(stderr, "docanalysis-instr-count: a line without the string field %s\n",
                   absl::GetFlag(FLAGS_text_field).c_str());
      return 2;
    }
    docs.push_back({it->get<std::string>(), {}});
  }
  if (docs.empty()) {
    std::fprintf(stderr, "docanalysis-instr-count: no documents\n");
    return 2;
  }

  docanalysis::PluginRegistryOptions opts;
  opts.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  docanalysis::PluginRegistry registry(opts);
  registry.Rescan(true);
  std::shared_ptr<const docanalysis::PluginSnapshot> snap = registry.Snapshot();
  if (snap->plugins().empty()) {
    std::fprintf(stderr, "docanalysis-instr-count: no plugins in %s\n", opts.plugin_dir.c_str());
    return 2;
  }
  std::printf("documents %zu\n", docs.size());
  // Loading (libraries, models) is not measured; with valgrind --instr-atstart=no it also runs at
  // near native speed.
  CALLGRIND_START_INSTRUMENTATION;

  size_t sink_total = 0;  // keeps results observable, so no work is optimised away
  if (Wanted("text")) {
    Measure("text", docs.size(), [&] {
      for (Doc& d : docs) {
        if (!docanalysis::text::ValidateUtf8(d.text, "text").ok()) continue;
        d.seg = docanalysis::text::Segment(d.text);
        sink_total += d.seg.tokens.size();
      }
    });
  } else {
    for (Doc& d : docs) d.seg = docanalysis::text::Segment(d.text);
  }

  for (const auto& plugin : snap->plugins()) {
    if (!Wanted(plugin->name())) continue;
    const auto& m = plugin->manifest();
    std::vector<docanalysis_option> options;
    for (const auto& [k, v] : m.options) options.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    std::vector<docanalysis_str> features;
    for (const auto& f : m.provides) features.push_back({f.data(), f.size()});
    bool failed = false;
    Measure(plugin->name(), docs.size(), [&] {
      for (const Doc& doc : docs) {
        docanalysis_document d{};
        d.text = {doc.text.data(), doc.text.size()};
        d.language = {"en", 2};
        d.tokens = doc.seg.tokens.data();
        d.token_count = doc.seg.tokens.size();
        d.sentences = doc.seg.sentences.data();
        d.sentence_count = doc.seg.sentences.size();
        d.options = options.data();
        d.option_count = options.size();
        d.features = features.data();
        d.feature_count = features.size();
        d.is_cancelled = [](void*) { return 0; };
        ResultCollector c;
        c.text = doc.text;
        c.sentence_count = doc.seg.sentences.size();
        docanalysis_sink sink = c.Sink();
        failed |= !plugin->Analyze(d, sink).ok();
        sink_total += c.mentions.size() + c.sentence_sentiments.size() + c.summary.size() + c.annotations.size();
      }
    });
    if (failed) {
      std::fprintf(stderr, "docanalysis-instr-count: plugin %s failed on a document\n", plugin->name().c_str());
      return 1;
    }
  }

  if (Wanted("service")) {
    docanalysis::AnalysisService service(&registry, {});
    std::vector<docanalysis::v1::AnalyzeRequest> requests(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) requests[i].mutable_document()->set_content(docs[i].text);
    bool failed = false;
    Measure("service", docs.size(), [&] {
      for (const auto& r : requests) {
        auto resp = service.Analyze(r, {});
        failed |= !resp.ok();
        if (resp.ok()) sink_total += static_cast<size_t>(resp->entities_size() + resp->sentences_size());
      }
    });
    if (failed) {
      std::fprintf(stderr, "docanalysis-instr-count: the service failed on a document\n");
      return 1;
    }
  }
  std::printf("results %zu\n", sink_total);
  return 0;
}
