// Stage 4 of a request: runs the planned plugins, one after another, each through the Plugin
// interface (in process or in a worker process: the stage does not know which) with its own time
// budget, cancellation, status and latency. A failing plugin fails only its own PluginRun; the
// request fails only when the caller cancelled or its deadline passed.
#ifndef DOCANALYSIS_SERVICE_CORE_PLUGIN_RUNS_H_
#define DOCANALYSIS_SERVICE_CORE_PLUGIN_RUNS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/core/document_text.h"
#include "service/core/planner.h"
#include "service/core/request_context.h"
#include "service/core/result_collector.h"

namespace docanalysis {

// What one plugin that succeeded wrote (offsets in bytes of DocumentText::text()).
struct PluginResult {
  const PlannedRun* run;
  ResultCollector results;
};

// Appends one PluginRun per planned plugin to `response` and returns the results of those that
// succeeded, in plan order. `plan` and `text` must outlive the results.
absl::StatusOr<std::vector<PluginResult>> RunPlugins(const std::vector<PlannedRun>& plan, const DocumentText& text,
                                                     const RequestContext& ctx, const AnalysisOptions& options,
                                                     v1::AnalyzeResponse* response);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_PLUGIN_RUNS_H_
