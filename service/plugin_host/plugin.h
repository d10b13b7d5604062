// The one interface the analysis core calls a plugin through, whether it runs in the server
// process (LoadedPlugin) or in a pool of sandboxed worker processes (ProcessPlugin). The core does
// not know which it calls: both take the same C ABI document view and sink.
//
// OWNERSHIP: shared (shared_ptr) by the registry's snapshots and every request running on it; a
// replaced or removed plugin is destroyed (library unloaded, workers stopped) after its last request.
// THREADING: Analyze is thread-safe; everything else is immutable after creation.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "docanalysis/plugin_abi.h"
#include "service/plugin_host/manifest.h"

namespace docanalysis {

// Where a plugin runs.
enum class Isolation { kInProcess, kProcess };
const char* IsolationName(Isolation isolation);

// What ListPlugins and metrics show about a plugin's health beyond its load status.
struct PluginHealth {
  // Set once the plugin crashed too often in a row; it stays broken until reloaded.
  bool broken = false;
  std::string broken_reason;
  int64_t worker_crashes = 0;   // since load
  int64_t worker_restarts = 0;  // since load
  int32_t live_workers = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;

  // Runs the plugin on one document; results go to `sink`. Returns the plugin's status: its own
  // code (its message went to the sink's set_error), or the host's verdict on a fault
  // (UNAVAILABLE for a dead worker, RESOURCE_EXHAUSTED over a limit, CANCELLED when the document's
  // is_cancelled turned true and the plugin had to be stopped).
  virtual absl::Status Analyze(const docanalysis_document& doc, const docanalysis_sink& sink) const = 0;

  virtual Isolation isolation() const = 0;
  virtual PluginHealth Health() const { return {}; }

  const PluginManifest& manifest() const { return manifest_; }
  const std::string& name() const { return manifest_.name; }
  const std::string& folder() const { return folder_; }
  uint32_t built_abi_major() const { return built_abi_major_; }
  uint32_t built_abi_minor() const { return built_abi_minor_; }

 protected:
  PluginManifest manifest_;
  std::string folder_;
  uint32_t built_abi_major_ = 0;
  uint32_t built_abi_minor_ = 0;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_H_
