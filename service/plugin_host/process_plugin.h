// A plugin that runs in a pool of sandboxed docanalysis-plugin-worker processes: the isolated
// implementation of Plugin (plugin.h), so a crash, hang or runaway allocation in third-party code
// costs that plugin's run, never the server.
//
// Each worker loads the plugin through the same loader (LoadedPlugin) and C ABI as the server
// would, in its own process group, with no new privileges, a seccomp filter, RLIMIT_AS/RLIMIT_CPU
// and PR_SET_PDEATHSIG (it dies with the server). Analyze() takes an idle worker (starting one, up
// to `pool_size`), writes the document into the worker's shared-memory region, forwards the
// document's cancellation, and replays the worker's batch of sink calls into the caller's sink.
// Faults become statuses:
//   - the worker dies (signal, exit)         -> UNAVAILABLE "plugin worker died: signal 11 (...)"
//   - over its memory or CPU limit           -> RESOURCE_EXHAUSTED
//   - is_cancelled turned true (budget, caller) and the worker did not answer within `kill_grace`
//                                            -> killed, CANCELLED (the core reports DEADLINE_EXCEEDED
//                                               when the budget ran out)
// A dead worker is replaced with exponential backoff; after `max_consecutive_crashes` deaths with
// no successful call between them the plugin is broken: its runs are UNAVAILABLE at once and
// ListPlugins shows BROKEN, until it is reloaded (a reload makes a new ProcessPlugin).
//
// OWNERSHIP: owns its workers; destroying it (after the last request on it, see plugin.h) kills and
// reaps them and unmaps their regions, so replacing or removing a plugin returns its memory.
// THREADING: Analyze and Health are thread-safe.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_PROCESS_PLUGIN_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_PROCESS_PLUGIN_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/plugin_host/document_view.h"
#include "service/plugin_host/plugin.h"

namespace docanalysis {

struct ProcessPluginOptions {
  // Path of the docanalysis-plugin-worker executable.
  std::string worker_path;
  // Workers per plugin, at most; 0 means one per core.
  int pool_size = 0;
  // RLIMIT_AS in MiB and RLIMIT_CPU in seconds per worker; 0: none. The manifest's memory_mb /
  // cpu_seconds may lower them.
  int64_t memory_mb = 0;
  int64_t cpu_seconds = 0;
  // How long a worker may take to stop after its document was cancelled before it is killed.
  absl::Duration kill_grace = absl::Milliseconds(200);
  // Deaths in a row (no successful call between) after which the plugin is broken.
  int max_consecutive_crashes = 20;
  // Restart backoff: the first restart is immediate, then this doubling up to max_backoff.
  absl::Duration backoff = absl::Milliseconds(10);
  absl::Duration max_backoff = absl::Milliseconds(500);
  // How long a worker may take to load its plugin.
  absl::Duration start_timeout = absl::Seconds(60);
  // Told about each worker fault (the status it became) and whether the plugin is now broken, and
  // (with an OK status, not broken) when the plugin starts; may be empty. For metrics.
  std::function<void(const std::string& plugin, const absl::Status& fault, bool broken)> on_health;
};

class ProcessPlugin final : public Plugin {
 public:
  // Starts the first worker and waits until it has loaded the plugin (so a plugin that cannot load
  // fails here, with the loader's message).
  static absl::StatusOr<std::shared_ptr<const ProcessPlugin>> Start(const std::string& folder, PluginManifest manifest,
                                                                    const std::string& private_dir,
                                                                    const OptionList& option_overrides,
                                                                    ProcessPluginOptions options);
  ~ProcessPlugin() override;

  absl::Status Analyze(const docanalysis_document& doc, const docanalysis_sink& sink) const override;
  Isolation isolation() const override { return Isolation::kProcess; }
  PluginHealth Health() const override;

  // Process ids of the live workers (tests).
  std::vector<pid_t> WorkerPids() const;

  struct Worker;

 private:
  ProcessPlugin() = default;
  // Starts a worker and waits for it to load the plugin; reports the ABI the plugin was built for.
  absl::StatusOr<std::unique_ptr<Worker>> Spawn(uint32_t* abi_major = nullptr, uint32_t* abi_minor = nullptr) const;
  std::unique_ptr<Worker> Acquire(const docanalysis_document& doc, absl::Status* status) const;
  void Release(std::unique_ptr<Worker> worker) const;
  // Records a dead worker's fault; returns it.
  absl::Status RecordDeath(absl::Status fault) const;

  std::string private_dir_;
  OptionList overrides_;
  ProcessPluginOptions options_;
  int pool_size_ = 1;

  mutable std::mutex mu_;
  mutable std::condition_variable idle_cv_;
  mutable std::vector<std::unique_ptr<Worker>> idle_;
  mutable int live_ = 0;  // idle + busy + starting
  mutable int consecutive_crashes_ = 0;
  mutable int64_t crashes_ = 0;
  mutable int64_t restarts_ = 0;
  mutable bool broken_ = false;
  mutable std::string broken_reason_;
  mutable absl::Time next_spawn_ = absl::InfinitePast();
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_PROCESS_PLUGIN_H_
