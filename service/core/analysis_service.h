// The analysis core: one request from validation to the merged response. No gRPC types: it
// returns absl::Status / StatusOr, and the edge (service/edge) converts.
//
// Analyze() runs one request through named stages, each in its own unit:
//   1. validate         (validate.h)       size, UTF-8, option names
//   2. plan             (planner.h)        plugins for the requested features, ordered by needs, options
//   3. text pipeline    (document_text.h)  HTML to text, tokens and sentences, once per document
//   4. run plugins      (plugin_runs.h)    each through the Plugin interface (in process or in a
//                                          worker process), own status, budget and cancellation
//   5. merge            (merger.h)         one response: sentences, entities, sentiment, summary, ...
//   6. convert offsets  (offsets.h)        every span once into the caller's encoding
// A failing plugin fails only its own PluginRun.
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
#include "service/core/request_context.h"
#include "service/plugin_host/plugin_registry.h"

namespace docanalysis {

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
  // Whether `request` is small enough to run on the thread that received it: its text is at most
  // options().inline_max_bytes long and every loaded plugin runs in this process (a worker
  // process's run may wait on its worker up to the plugin's time budget).
  bool RunsInline(const v1::AnalyzeRequest& request) const;

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
