// docanalysis-isolation-bench: what running a plugin in a worker process costs, against running it
// in the server process, on real news articles (the CNN/DailyMail test subset in ../shared/eval).
//
//   docanalysis-isolation-bench --plugin_dir build/plugins
//       --worker build/service/docanalysis-plugin-worker
//       --articles ../shared/eval/summary/cnndm_frank_test.jsonl --rounds 5
//
// Two AnalysisService instances on the same plugin folder, one loading every plugin in process and
// one isolating every plugin (a worker pool each), both called directly (no gRPC) so only the
// isolation differs.
//  1. per plugin, the overhead per document, measured two ways:
//     - streams (the figure the issue asks for): each configuration serves the articles one after
//       another, as a server serving that plugin would; the two streams alternate in order from
//       round to round, and the overhead is the median over all articles and rounds of the
//       difference between an article's isolated and in-process runs;
//     - interleaved (a worst case): each article runs in process and isolated back to back, so
//       every isolated run starts right after the in-process copy of the same plugin has swept the
//       caches (for the entity plugin, 25 MB of weights), and pays to bring the worker's side and
//       the kernel's message path back in;
//  2. the whole service with all three built-ins and `--concurrency` callers, in process and
//     isolated, rounds alternating: documents per wall-clock second, and documents per CPU second
//     (this process's CPU plus every worker's, read from /proc), which is the throughput of a
//     saturated server and does not move with what else the shared machine runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <unistd.h>
#include <fstream>
#include <sstream>
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

// CPU seconds used so far by this process and by its children that are still running (the plugin
// workers), from /proc/<pid>/task/<tid>/schedstat (nanoseconds on the CPU).
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  double total = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  const std::string self = std::to_string(getpid());
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return total;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command (which may hold spaces) in parentheses: state, ppid, ...
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid != self) continue;
    const std::string tasks = std::string("/proc/") + e->d_name + "/task";
    DIR* dir = opendir(tasks.c_str());
    if (dir == nullptr) continue;
    while (dirent* t = readdir(dir)) {
      if (t->d_name[0] < '0' || t->d_name[0] > '9') continue;
      std::ifstream sched(tasks + "/" + t->d_name + "/schedstat");
      double ns = 0;
      if (sched >> ns) total += ns * 1e-9;
    }
    closedir(dir);
  }
  closedir(proc);
  return total;
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
  const int rounds = absl::GetFlag(FLAGS_rounds);
  std::printf("%zu CNN/DailyMail articles x %d rounds; per article, the median of isolated minus in process\n",
              docs.size(), rounds);
  std::printf("%-10s %14s %14s %18s %22s\n", "plugin", "in process us", "isolated us", "overhead us/doc",
              "interleaved us/doc");
  for (const auto& p : plugins) {
    // Streams: all articles in process, then all isolated (the order alternating by round).
    std::vector<double> a, b, diff;
    for (int r = 0; r < rounds; ++r) {
      std::vector<double> x(docs.size()), y(docs.size());
      for (int half = 0; half < 2; ++half) {
        const bool iso = (half + r) % 2 == 1;
        for (size_t k = 0; k < docs.size(); ++k)
          (iso ? y : x)[k] = PluginMicros(iso ? isolated : in_process, docs[k], p.feature, p.name);
      }
      for (size_t k = 0; k < docs.size(); ++k) a.push_back(x[k]), b.push_back(y[k]), diff.push_back(y[k] - x[k]);
    }
    // Interleaved: each article in process and isolated back to back (the order alternating).
    std::vector<double> worst;
    for (int r = 0; r < rounds; ++r) {
      for (size_t k = 0; k < docs.size(); ++k) {
        double x, y;
        if ((k + r) % 2 == 0) {
          x = PluginMicros(in_process, docs[k], p.feature, p.name);
          y = PluginMicros(isolated, docs[k], p.feature, p.name);
        } else {
          y = PluginMicros(isolated, docs[k], p.feature, p.name);
          x = PluginMicros(in_process, docs[k], p.feature, p.name);
        }
        worst.push_back(y - x);
      }
    }
    std::printf("%-10s %14.1f %14.1f %18.1f %22.1f\n", p.name.c_str(), Median(a), Median(b), Median(diff),
                Median(worst));
  }
  std::vector<double> ta, tb, ca, cb;
  const int c = absl::GetFlag(FLAGS_concurrency);
  for (int r = 0; r < rounds; ++r) {
    for (int half = 0; half < 2; ++half) {
      const bool iso = (half + r) % 2 == 1;
      const double cpu0 = CpuSeconds();
      const double rate = Throughput(iso ? isolated : in_process, docs, c);
      const double cpu = CpuSeconds() - cpu0;
      (iso ? tb : ta).push_back(rate);
      (iso ? cb : ca).push_back(static_cast<double>(docs.size()) / cpu);
    }
  }
  std::printf("whole service, all three built-ins, %d callers, medians of %d rounds:\n", c, rounds);
  std::printf("  documents per CPU second (server and workers): in process %.1f, isolated %.1f: isolation costs "
              "%.1f%% of throughput\n", Median(ca), Median(cb), 100.0 * (1.0 - Median(cb) / Median(ca)));
  std::printf("  documents per wall-clock second: in process %.1f, isolated %.1f: %.1f%% (moves with the machine's "
              "other work)\n", Median(ta), Median(tb), 100.0 * (1.0 - Median(tb) / Median(ta)));
  return 0;
}
