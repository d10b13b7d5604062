// The analysis core: one request from validation to the merged response. No gRPC types: it
// returns absl::Status / StatusOr, and the edge (service/edge) converts.
//
// Analyze() validates the document (UTF-8, size, features, options), runs the text pipeline once,
// plans the plugins that provide the requested features (ordered by what they need), runs each
// through the C ABI with its own status, time budget and cancellation, and merges everything into
// one AnalyzeResponse with offsets converted once into the requested encoding. A failing plugin
// fails only its own PluginRun.
//
// THREADING: Analyze and ListPlugins are thread-safe and may run concurrently; each request
// works on the plugin snapshot it started with.
//
//   AnalysisService service(&registry, AnalysisOptions{});
//   absl::StatusOr<v1::AnalyzeResponse> r = service.Analyze(request, RequestContext{});
#ifndef DOCANALYSIS_SERVICE_CORE_ANALYSIS_SERVICE_H_
#define DOCANALYSIS_SERVICE_CORE_ANALYSIS_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/plugin_host/plugin_registry.h"

namespace docanalysis {

struct AnalysisOptions {
  size_t max_document_bytes = 1 << 20;
  // When > 0, overrides every manifest's timeout_ms.
  int64_t plugin_timeout_ms = 0;
  // Per-request observer of each plugin run (metrics); may be empty. Called from worker threads.
  std::function<void(const v1::PluginRun&)> on_plugin_run;
};

// What the edge knows about the call: its deadline and whether the caller went away.
struct RequestContext {
  absl::Time deadline = absl::InfiniteFuture();
  // Returns true once the call is cancelled; may be empty. Must be thread-safe.
  std::function<bool()> is_cancelled;
};

class AnalysisService {
 public:
  AnalysisService(const PluginRegistry* registry, AnalysisOptions options);

  absl::StatusOr<v1::AnalyzeResponse> Analyze(const v1::AnalyzeRequest& request, const RequestContext& ctx) const;
  // The same, building the response into `*out` (which should be empty), so that the caller chooses
  // where it lives (the gRPC edge puts it on the call's protobuf arena). On error `*out` holds
  // whatever was built so far and should be discarded.
  absl::Status AnalyzeInto(const v1::AnalyzeRequest& request, const RequestContext& ctx,
                           v1::AnalyzeResponse* out) const;
  v1::ListPluginsResponse ListPlugins() const;

  const AnalysisOptions& options() const { return options_; }

 private:
  struct PlanCache;

  const PluginRegistry* registry_;
  AnalysisOptions options_;
  std::shared_ptr<PlanCache> plan_cache_;
};

// Fills a PluginInfo from the registry's view of one plugin folder.
void FillPluginInfo(const PluginStatus& status, v1::PluginInfo* info);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_ANALYSIS_SERVICE_H_
