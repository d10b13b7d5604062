// The plugin registry: every plugin under the plugin folder, as an immutable snapshot that is
// swapped atomically.
//
// Requests take a Snapshot() once and run on it to the end, so in-flight requests finish on the
// plugin versions they started with. Rescan() (called by the folder watcher, SIGHUP and the admin
// service) compares each plugin folder with what is loaded and loads, reloads or unloads:
//  - a folder is a plugin once it holds `plugin.json` and none of its files changed between two
//    scans at least `quiet_period` apart (so a half-copied library is never opened);
//  - a plugin that fails to load keeps its previous version serving, with the error recorded;
//  - a folder that disappears (or loses its manifest) is unloaded.
//
// THREADING: all methods are thread-safe. Snapshot() is lock-free for readers (an atomic
// shared_ptr load); mutations are serialised by a mutex.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_REGISTRY_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_REGISTRY_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/plugin_host/loaded_plugin.h"

namespace docanalysis {

// What ListPlugins shows for one plugin folder.
struct PluginStatus {
  std::string folder_name;
  std::string path;
  std::shared_ptr<const Plugin> loaded;  // the serving version, may be null
  std::string last_error;                      // empty when the last load succeeded
  PluginManifest manifest;                     // of the serving version, or of the failed one
};

// An immutable view of the loaded plugins.
class PluginSnapshot {
 public:
  explicit PluginSnapshot(std::vector<std::shared_ptr<const Plugin>> plugins);

  // Plugins sorted by name.
  const std::vector<std::shared_ptr<const Plugin>>& plugins() const { return plugins_; }
  // The plugin providing `feature`, or null. When two plugins provide one feature, the first by
  // name wins.
  const Plugin* FindByFeature(std::string_view feature) const;
  const Plugin* FindByName(std::string_view name) const;
  // Every feature name, sorted.
  std::vector<std::string> Features() const;

 private:
  std::vector<std::shared_ptr<const Plugin>> plugins_;
  absl::flat_hash_map<std::string, const Plugin*> by_feature_;
  absl::flat_hash_map<std::string, const Plugin*> by_name_;
};

struct PluginRegistryOptions {
  std::string plugin_dir;
  // Under which the private mkdtemp copy of each library is made; empty: $TMPDIR.
  std::string private_dir;
  absl::Duration quiet_period = absl::Milliseconds(300);
  // A plugin whose folder disappears keeps serving this long, or until a folder of the same name
  // is loaded in its place: replacing a plugin the way operators do (move the old folder out, move
  // the new one in) never leaves a gap in which its features are unknown.
  absl::Duration removal_grace = absl::ZeroDuration();
  // Refuse plugin folders, manifests and libraries that other users could write (group- or
  // world-writable, or owned by someone other than root or this user), and symlinks that lead
  // outside the plugin folder. Off only for development (--allow_unsafe_plugins).
  bool check_permissions = true;
  // Operator overrides: plugin name -> (option, value).
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> option_overrides;
  // Makes a Plugin from a plugin folder and its parsed manifest (in process or isolated, see
  // plugin_host/isolation.h); default: LoadedPlugin::Load, in this process.
  std::function<absl::StatusOr<std::shared_ptr<const Plugin>>(const std::string& folder, const PluginManifest& manifest,
                                                              const std::string& private_dir,
                                                              const OptionList& option_overrides)>
      loader;
  // Called with the number of loaded plugins after every snapshot swap (under the registry lock;
  // keep it short). May be empty.
  std::function<void(size_t)> on_publish;
};

class PluginRegistry {
 public:
  explicit PluginRegistry(PluginRegistryOptions options);
  ~PluginRegistry();

  std::shared_ptr<const PluginSnapshot> Snapshot() const { return std::atomic_load(&snapshot_); }

  // Scans the folder and applies changes. With `force`, every plugin is reloaded and folders are
  // taken as they are, without waiting for them to be quiet (the first scan at start-up).
  void Rescan(bool force = false);
  // Reloads every plugin now (SIGHUP, the admin Reload call), except folders whose files changed
  // within the quiet period: those may still be being copied, and load on a later scan.
  void Reload();

  // Loads or reloads the plugin in folder `folder_name` now. On failure the previous version (if
  // any) keeps serving.
  absl::StatusOr<PluginStatus> LoadOne(const std::string& folder_name);
  // Unloads a plugin by folder or plugin name. NOT_FOUND if nothing is loaded under that name.
  absl::Status UnloadOne(const std::string& name);

  std::vector<PluginStatus> Statuses() const;

  // Rescans every `interval` on a background thread until StopWatching() or destruction.
  void StartWatching(absl::Duration interval);
  void StopWatching();
  // Wakes the watcher for an immediate forced rescan (async-signal-unsafe; call from a thread).
  void RequestRescan();

 private:
  struct Entry {
    std::string path;
    uint64_t fingerprint = 0;  // of the files when last loaded (or last failed)
    PluginStatus status;
    std::optional<absl::Time> absent_since;  // the folder is gone; unloads after removal_grace
  };
  struct Observation {
    uint64_t fingerprint = 0;
    absl::Time since;
  };

  absl::Status LoadLocked(const std::string& folder_name, uint64_t fingerprint);
  void PublishLocked();
  void ScanLocked(bool force, bool respect_quiet);
  // Hash of the folder's file names, sizes and times; `*newest` gets the newest file time.
  static uint64_t Fingerprint(const std::string& folder, bool* has_manifest, absl::Time* newest = nullptr);
  absl::Status CheckSafety(const std::string& folder, const std::string& library) const;

  PluginRegistryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;             // by folder name
  std::map<std::string, Observation> observations_;  // pending folders, by folder name
  std::shared_ptr<const PluginSnapshot> snapshot_;

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stop_ = false;
  bool rescan_requested_ = false;
  std::thread watcher_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_PLUGIN_REGISTRY_H_
