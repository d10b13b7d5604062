// Which plugins run in the server process and which in sandboxed worker processes.
//
// The operator decides with --isolation and per-plugin overrides (--plugin_isolation=name=mode):
//   auto (default)  the built-in plugins (entity, sentiment, summary) in process, every other
//                   plugin in worker processes; a manifest may ask for "process" (more isolation),
//                   never for less
//   manifest        the manifest's "isolation" field; without one, as auto
//   process         every plugin in worker processes
//   in_process      every plugin in the server process (trusted plugins only)
// A per-plugin override wins over all of these.
//
//   IsolationPolicy policy;
//   policy.process.worker_path = "/usr/lib/docanalysis/docanalysis-plugin-worker";
//   registry_options.loader = MakePluginLoader(policy);
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_ISOLATION_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_ISOLATION_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/plugin_host/plugin_registry.h"
#include "service/plugin_host/process_plugin.h"

namespace docanalysis {

enum class IsolationMode { kAuto, kManifest, kProcess, kInProcess };

absl::StatusOr<IsolationMode> ParseIsolationMode(std::string_view mode);
absl::StatusOr<Isolation> ParseIsolation(std::string_view isolation);

struct IsolationPolicy {
  IsolationMode mode = IsolationMode::kAuto;
  std::map<std::string, Isolation> per_plugin;
  std::set<std::string> built_in = {"entity", "sentiment", "summary", "syntax"};
  ProcessPluginOptions process;

  Isolation Decide(const PluginManifest& manifest) const;
};

// A PluginRegistryOptions::loader that loads each plugin in process or starts its worker pool, as
// `policy` decides.
decltype(PluginRegistryOptions::loader) MakePluginLoader(IsolationPolicy policy);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_ISOLATION_H_
