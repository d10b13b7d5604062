// docanalysis-loadgen: throughput and latency of the server, with an in-process baseline measured
// in the same run (this machine is shared and noisy, so the ratio is the figure to compare).
//
//   docanalysis-loadgen --target 127.0.0.1:50051 --plugin_dir build/plugins \
//       --file ../shared/samples/000_ac263380b61652b0.txt --seconds 10 --concurrency 4
//
// 1. in-process: the same AnalysisService the server runs, on the same plugins, no gRPC;
// 2. over gRPC: `concurrency` clients calling Analyze on the running server.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "docanalysis/v1/docanalysis.grpc.pb.h"
#include "service/core/analysis_service.h"
#include "service/plugin_host/plugin_registry.h"

ABSL_FLAG(std::string, target, "", "Server to load, HOST:PORT; empty runs only the in-process baseline");
ABSL_FLAG(std::string, plugin_dir, "build/plugins", "Plugin folder for the in-process baseline");
ABSL_FLAG(std::string, file, "", "Document to send (UTF-8 text)");
ABSL_FLAG(std::vector<std::string>, features, {}, "Features to ask for; empty means every default");
ABSL_FLAG(double, seconds, 10, "Duration of each phase");
ABSL_FLAG(int, concurrency, 4, "Concurrent callers");

namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  int64_t requests = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

template <typename Call>
Result Run(int concurrency, double seconds, Call call) {
  std::vector<Result> per(concurrency);
  std::vector<std::thread> threads;
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto start = Clock::now();
  for (int i = 0; i < concurrency; ++i) {
    threads.emplace_back([&, i] {
      while (Clock::now() < end) {
        auto t0 = Clock::now();
        bool ok = call();
        per[i].latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        ++per[i].requests;
        if (!ok) ++per[i].errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  Result all;
  all.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& r : per) {
    all.requests += r.requests;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  return all;
}

double Pct(const Result& r, double p) {
  if (r.latencies_ms.empty()) return 0;
  return r.latencies_ms[std::min(r.latencies_ms.size() - 1, static_cast<size_t>(p * r.latencies_ms.size()))];
}

void Print(const char* name, const Result& r) {
  std::printf("%-12s %8lld requests %6lld errors %9.1f docs/s   p50 %7.2f ms   p99 %7.2f ms\n", name,
              static_cast<long long>(r.requests), static_cast<long long>(r.errors), r.requests / r.seconds,
              Pct(r, 0.5), Pct(r, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_file));
  if (!in) {
    std::fprintf(stderr, "loadgen: cannot read --file %s\n", absl::GetFlag(FLAGS_file).c_str());
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  docanalysis::v1::AnalyzeRequest request;
  request.mutable_document()->set_content(ss.str());
  for (const auto& f : absl::GetFlag(FLAGS_features)) request.add_features(f);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const double seconds = absl::GetFlag(FLAGS_seconds);

  docanalysis::PluginRegistryOptions opts;
  opts.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  docanalysis::PluginRegistry registry(opts);
  registry.Rescan(true);
  docanalysis::AnalysisService service(&registry, {});
  std::printf("document: %zu bytes; plugins: %zu; concurrency %d; %.0f s per phase\n", ss.str().size(),
              registry.Snapshot()->plugins().size(), concurrency, seconds);
  Result local = Run(concurrency, seconds, [&] { return service.Analyze(request, {}).ok(); });
  Print("in-process", local);

  if (absl::GetFlag(FLAGS_target).empty()) return 0;
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials());
  auto stub = docanalysis::v1::DocumentAnalysis::NewStub(channel);
  Result remote = Run(concurrency, seconds, [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    docanalysis::v1::AnalyzeResponse resp;
    return stub->Analyze(&ctx, request, &resp).ok();
  });
  Print("gRPC", remote);
  std::printf("gRPC throughput / in-process throughput: %.2f\n",
              (remote.requests / remote.seconds) / (local.requests / local.seconds));
  return remote.errors == 0 && local.errors == 0 ? 0 : 1;
}
