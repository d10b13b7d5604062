// docanalysis-hostile-bench: every stage of the request path, and the whole Analyze with all
// features, on 1 MiB inputs of each hostile shape (service/testing/hostile_text.h), against 1 MiB
// of ordinary prose. Prints Google Benchmark's table, then one line per shape with its time as a
// multiple of prose; exits 1 if any shape's whole Analyze exceeds --max_ratio (default 3) times prose's.
//
//   build/bench/docanalysis-hostile-bench --plugin_dir build/plugins --shared_dir ../shared
//   build/bench/docanalysis-hostile-bench --bytes 262144 --filter 'html/'   # a quicker subset
//
// The verdict (exit status) is the whole Analyze with all features; the stages show where the time goes.
// Stages: validate (UTF-8), html (HTML reduction, markup shapes), segment, offsets (UTF-16
// conversion of every token boundary), analyze/<feature> (the request path with one plugin) and
// analyze/all.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "service/core/analysis_service.h"
#include "service/plugin_host/plugin_registry.h"
#include "service/testing/hostile_text.h"
#include "service/text/html.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"

namespace docanalysis {
namespace {

struct Config {
  size_t bytes = 1 << 20;
  std::string plugin_dir = "build/plugins";
  std::string shared_dir = "../shared";
  std::string filter;
  double max_ratio = 3.0;
};

// Seconds per iteration of every benchmark run, by name.
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Iteration && r.iterations > 0)
        seconds_[StripArgs(r.benchmark_name())] = r.GetAdjustedCPUTime() / 1e9;  // time unit: ns
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, double>& seconds() const { return seconds_; }

  // "analyze/all/prose/min_time:0.200" -> "analyze/all/prose".
  static std::string StripArgs(std::string name) {
    size_t at = name.find("/min_time:");
    return at == std::string::npos ? name : name.substr(0, at);
  }

 private:
  std::map<std::string, double> seconds_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void RegisterShape(const std::string& name, std::shared_ptr<const std::string> text, bool html,
                   const AnalysisService* service) {
  auto reg = [&](const std::string& stage, auto fn) {
    benchmark::RegisterBenchmark((stage + "/" + name).c_str(), fn)->Unit(benchmark::kNanosecond)->MinTime(0.2);
  };
  reg("validate", [text](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(text::ValidateUtf8(*text, "doc"));
  });
  if (html) {
    reg("html", [text](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(text::ExtractHtmlText(*text));
    });
  } else {
    reg("segment", [text](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(text::Segment(*text));
    });
    auto seg = std::make_shared<text::Segmentation>(text::Segment(*text));
    reg("offsets", [text, seg](benchmark::State& st) {
      for (auto _ : st) {
        text::OffsetConverter conv(*text, text::OffsetUnit::kUtf16CodeUnits);
        int64_t sum = 0;
        for (const auto& t : seg->tokens) sum += conv.Convert(t.begin) + conv.Convert(t.end);
        benchmark::DoNotOptimize(sum);
      }
    });
  }
  std::vector<std::vector<std::string>> feature_sets = {{"entities"}, {"sentiment"}, {"summary"}, {}};
  for (const auto& fs : feature_sets) {
    v1::AnalyzeRequest req;
    req.mutable_document()->set_content(*text);
    if (html) req.mutable_document()->set_type(v1::Document::HTML);
    req.set_encoding_type(v1::UTF16);
    for (const auto& f : fs) req.add_features(f);
    if (fs.empty())
      for (const char* f : {"entities", "sentiment", "summary"}) req.add_features(f);
    reg(fs.empty() ? "analyze/all" : "analyze/" + fs[0], [req, service](benchmark::State& st) {
      for (auto _ : st) {
        auto r = service->Analyze(req, RequestContext{});
        if (!r.ok()) st.SkipWithError(std::string(r.status().message()).c_str());
        benchmark::DoNotOptimize(r);
      }
    });
  }
}

int Main(int argc, char** argv) {
  Config c;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      size_t n = std::strlen(flag);
      if (a.compare(0, n, flag) == 0 && a.size() > n && a[n] == '=') return argv[i] + n + 1;
      if (a == flag && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    if (const char* v = value("--bytes")) c.bytes = std::stoul(v);
    else if (const char* v = value("--plugin_dir")) c.plugin_dir = v;
    else if (const char* v = value("--shared_dir")) c.shared_dir = v;
    else if (const char* v = value("--filter")) c.filter = v;
    else if (const char* v = value("--max_ratio")) c.max_ratio = std::stod(v);
    else rest.push_back(argv[i]);
  }
  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());

  PluginRegistryOptions ro;
  ro.plugin_dir = c.plugin_dir;
  PluginRegistry registry(ro);
  registry.Rescan(/*force=*/true);
  if (registry.Snapshot()->plugins().size() < 3) {
    std::fprintf(stderr, "hostile-bench: found %zu plugins in %s, want the 3 built-ins\n",
                 registry.Snapshot()->plugins().size(), c.plugin_dir.c_str());
    return 2;
  }
  AnalysisOptions ao;
  ao.max_document_bytes = c.bytes * 2;
  ao.plugin_timeout_ms = 600000;
  AnalysisService service(&registry, ao);

  std::string article = ReadFile(c.shared_dir + "/samples/000_ac263380b61652b0.txt");
  if (article.empty()) {
    std::fprintf(stderr, "hostile-bench: cannot read the sample article under %s\n", c.shared_dir.c_str());
    return 2;
  }
  auto prose = std::make_shared<const std::string>(testing::Prose(article, c.bytes));
  RegisterShape("prose", prose, false, &service);
  auto prose_html = std::make_shared<const std::string>(
      testing::Fill("<p>", testing::Prose(article, 1 << 14).substr(0, 4000) + "</p><p>", c.bytes));
  RegisterShape("prose-html", prose_html, true, &service);
  std::vector<testing::HostileShape> shapes;
  for (const auto& s : testing::HostileShapes())
    if (c.filter.empty() || s.name.find(c.filter) != std::string::npos) shapes.push_back(s);
  for (const auto& s : shapes)
    RegisterShape(s.name, std::make_shared<const std::string>(testing::Generate(s, c.bytes)), s.html, &service);

  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);

  // Ratios: each stage of each shape against the same stage on prose (HTML shapes: prose-html).
  // The verdict is the whole request: each shape's Analyze with all features against prose's. The
  // stages are shown to say where a shape's time goes; the worst stage ratio is printed too.
  const auto& t = collector.seconds();
  double worst = 0, worst_stage = 0;
  std::string worst_name, worst_stage_name;
  std::printf("\n%-24s %9s %9s %9s %9s %9s %9s %9s %9s\n", "shape (x prose)", "validate", "segment", "html",
              "offsets", "entities", "sentiment", "summary", "all");
  for (const auto& s : shapes) {
    std::string base = s.html ? "prose-html" : "prose";
    auto ratio = [&](const std::string& stage) -> double {
      auto a = t.find(stage + "/" + s.name), b = t.find(stage + "/" + base);
      if (a == t.end() || b == t.end() || b->second <= 0) return -1;
      return a->second / b->second;
    };
    double val = ratio("validate"), seg = ratio("segment"), html = ratio("html"), off = ratio("offsets"),
           ent = ratio("analyze/entities"), sen = ratio("analyze/sentiment"), sum = ratio("analyze/summary"),
           all = ratio("analyze/all");
    std::string shown;  // names with a newline ("alt/a\n") on one line
    for (char ch : s.name) shown += ch == '\n' ? std::string("\\n") : std::string(1, ch);
    std::printf("%-24s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", shown.c_str(), val, seg, html, off, ent, sen,
                sum, all);
    if (all > worst) worst = all, worst_name = shown;
    for (double r : {val, seg, html, off, ent, sen, sum}) {
      if (r > worst_stage) worst_stage = r, worst_stage_name = shown;
    }
  }
  if (worst_name.empty()) {
    std::printf("\nno ratios: the benchmarks did not run\n");
    return 1;
  }
  std::printf("\nworst single stage: %s at %.2fx prose's same stage\n", worst_stage_name.c_str(), worst_stage);
  std::printf("worst shape, whole Analyze: %s at %.2fx prose (limit %.1fx)\n", worst_name.c_str(), worst, c.max_ratio);
  return worst <= c.max_ratio ? 0 : 1;
}

}  // namespace
}  // namespace docanalysis

int main(int argc, char** argv) { return docanalysis::Main(argc, argv); }
