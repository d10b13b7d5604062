// Stage 3 of a request: which plugins run, in what order, with which options.
//
// Plan() picks the plugins that provide the requested features (every default plugin when none are
// named), adds the providers of what they need, transitively, and orders them so that a plugin runs
// after the providers of its needs (ties by name; a cycle is broken by name order). An unknown
// feature is INVALID_ARGUMENT naming the known ones.
#ifndef DOCANALYSIS_SERVICE_CORE_PLANNER_H_
#define DOCANALYSIS_SERVICE_CORE_PLANNER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/plugin_host/document_view.h"
#include "service/plugin_host/plugin_registry.h"

namespace docanalysis {

// A plugin chosen for one request, the features it runs for and its options.
struct PlannedRun {
  const Plugin* plugin;
  std::vector<std::string> features;
  // Manifest defaults (with the operator's overrides), then the request's "<plugin>.<key>" or
  // "<feature>.<key>" options for a feature the plugin provides, prefix removed.
  OptionList options;
};

absl::StatusOr<std::vector<PlannedRun>> Plan(const PluginSnapshot& snapshot, const v1::AnalyzeRequest& request);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_PLANNER_H_
