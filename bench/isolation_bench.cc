// docanalysis-isolation-bench: what running a plugin in a worker process costs, against running it
// in the server process, on real news articles (the CNN/DailyMail test subset in ../shared/eval).
//
//   docanalysis-isolation-bench --plugin_dir build/plugins \
//       --worker build/service/docanalysis-plugin-worker \
//       --articles ../shared/eval/summary/cnndm_frank_test.jsonl --rounds 5
//
// Two AnalysisService instances on the same plugin folder, one loading every plugin in process and
// one isolating every plugin (a worker pool each), both called directly (no gRPC) so only the
// isolation differs.
//  1. per plugin: each article runs that plugin alone in process and isolated back to back (the
//     order alternating), and the isolation overhead per document is the median of the pairs'
//     differences of its PluginRun latency, so the shared machine's slow drifts fall on both halves;
//  2. the whole service with all three built-ins: documents per second with `--concurrency`
//     callers, in process and isolated, rounds alternating.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "service/core/analysis_service.h"
#include "service/plugin_host/isolation.h"
#include "service/plugin_host/plugin_registry.h"

ABSL_FLAG(std::string, plugin_dir, "build/plugins", "Plugin folder (the built-ins)");
ABSL_FLAG(std::string, worker, "build/service/docanalysis-plugin-worker", "The plugin worker executable");
ABSL_FLAG(std::string, articles, "../shared/eval/summary/cnndm_frank_test.jsonl", "JSON lines with an \"article\"");
ABSL_FLAG(int, documents, 100, "Articles used (the first N)");
ABSL_FLAG(int, rounds, 5, "Alternating rounds per configuration");
ABSL_FLAG(int, concurrency, 2, "Callers in the throughput phase");

namespace {

using docanalysis::AnalysisOptions;
using docanalysis::AnalysisService;
using docanalysis::PluginRegistry;
using docanalysis::PluginRegistryOptions;
using Clock = std::chrono::steady_clock;

std::unique_ptr<PluginRegistry> Registry(bool isolated) {
  PluginRegistryOptions o;
  o.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  docanalysis::IsolationPolicy policy;
  policy.mode = isolated ? docanalysis::IsolationMode::kProcess : docanalysis::IsolationMode::kInProcess;
  policy.process.worker_path = absl::GetFlag(FLAGS_worker);
  policy.process.pool_size = absl::GetFlag(FLAGS_concurrency);
  o.loader = docanalysis::MakePluginLoader(policy);
  auto r = std::make_unique<PluginRegistry>(o);
  r->Rescan(/*force=*/true);
  return r;
}

docanalysis::v1::AnalyzeRequest Request(const std::string& text, const std::vector<std::string>& features) {
  docanalysis::v1::AnalyzeRequest r;
  r.mutable_document()->set_content(text);
  for (const auto& f : features) r.add_features(f);
  return r;
}

// Microseconds of `plugin`'s run (its PluginRun latency) on `doc`.
double PluginMicros(const AnalysisService& s, const std::string& doc, const std::string& feature,
                    const std::string& plugin) {
  auto r = s.Analyze(Request(doc, {feature}), docanalysis::RequestContext{});
  if (!r.ok()) { std::fprintf(stderr, "error: %s\n", std::string(r.status().message()).c_str()); std::exit(1); }
  for (const auto& run : r->plugin_runs()) {
    if (run.code() != 0) { std::fprintf(stderr, "%s failed: %s\n", plugin.c_str(), run.message().c_str()); std::exit(1); }
    if (run.plugin() == plugin) return static_cast<double>(run.latency_us());
  }
  std::fprintf(stderr, "no run of %s\n", plugin.c_str());
  std::exit(1);
}

// Documents per second through the whole service (all default plugins) with `concurrency` callers.
double Throughput(const AnalysisService& s, const std::vector<std::string>& docs, int concurrency) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int i = 0; i < concurrency; ++i) {
    threads.emplace_back([&] {
      for (size_t k; (k = next.fetch_add(1)) < docs.size();) {
        auto r = s.Analyze(Request(docs[k], {}), docanalysis::RequestContext{});
        if (!r.ok()) std::exit(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  return static_cast<double>(docs.size()) / std::chrono::duration<double>(Clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::vector<std::string> docs;
  std::ifstream in(absl::GetFlag(FLAGS_articles));
  for (std::string line; std::getline(in, line) && static_cast<int>(docs.size()) < absl::GetFlag(FLAGS_documents);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("article")) docs.push_back(j["article"].get<std::string>());
  }
  if (docs.empty()) { std::fprintf(stderr, "no articles in %s\n", absl::GetFlag(FLAGS_articles).c_str()); return 1; }
  auto in_reg = Registry(false);
  auto iso_reg = Registry(true);
  AnalysisService in_process(in_reg.get(), AnalysisOptions{});
  AnalysisService isolated(iso_reg.get(), AnalysisOptions{});
  struct Plugin { std::string feature, name; };
  const std::vector<Plugin> plugins = {{"entities", "entity"}, {"sentiment", "sentiment"}, {"summary", "summary"}};
  for (const auto& p : plugins) {  // warm both (worker start, first-touch of models)
    PluginMicros(in_process, docs[0], p.feature, p.name);
    PluginMicros(isolated, docs[0], p.feature, p.name);
  }
  // Paired: each document runs in process and isolated back to back (the order alternating), so
  // the machine's slow drifts fall on both halves of a pair; the overhead is the median of the
  // pairs' differences, the latencies the medians of each side.
  std::printf("%zu CNN/DailyMail articles x %d rounds, each run in process and isolated back to back; medians\n",
              docs.size(), absl::GetFlag(FLAGS_rounds));
  std::printf("%-10s %14s %14s %16s\n", "plugin", "in process us", "isolated us", "overhead us/doc");
  for (const auto& p : plugins) {
    std::vector<double> a, b, diff;
    for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
      for (size_t k = 0; k < docs.size(); ++k) {
        double x, y;
        if ((k + r) % 2 == 0) {
          x = PluginMicros(in_process, docs[k], p.feature, p.name);
          y = PluginMicros(isolated, docs[k], p.feature, p.name);
        } else {
          y = PluginMicros(isolated, docs[k], p.feature, p.name);
          x = PluginMicros(in_process, docs[k], p.feature, p.name);
        }
        a.push_back(x), b.push_back(y), diff.push_back(y - x);
      }
    }
    std::printf("%-10s %14.1f %14.1f %16.1f\n", p.name.c_str(), Median(a), Median(b), Median(diff));
  }
  std::vector<double> ta, tb;
  const int c = absl::GetFlag(FLAGS_concurrency);
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    ta.push_back(Throughput(in_process, docs, c));
    tb.push_back(Throughput(isolated, docs, c));
  }
  std::printf("whole service, all three built-ins, %d callers: in process %.1f docs/s, isolated %.1f docs/s, "
              "isolated costs %.1f%% of throughput\n",
              c, Median(ta), Median(tb), 100.0 * (1.0 - Median(tb) / Median(ta)));
  return 0;
}
