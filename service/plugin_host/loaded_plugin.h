// One plugin library loaded through Boost.DLL into this process, with its one instance: the
// in-process implementation of Plugin (plugin.h). The plugin worker (service/worker) loads its
// plugin through this same class.
//
// Load() copies the library to a private path first (so a new build can be loaded beside the old
// one and the folder can be rewritten while we run), opens it, checks the ABI, and creates the
// instance with the manifest's option defaults. Analyze() calls the plugin through the C ABI.
//
// OWNERSHIP: a LoadedPlugin owns its library and instance; it is shared (shared_ptr) by the
// registry's snapshots and by every request running on it, so a plugin that is replaced or removed
// is destroyed only after the last request on it finishes. The instance is destroyed before the
// library is unloaded.
// THREADING: Analyze is thread-safe (the ABI requires plugins to be); the object is immutable.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_LOADED_PLUGIN_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_LOADED_PLUGIN_H_

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS  // header-only Boost.DLL on std::filesystem
#endif
#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "docanalysis/plugin_abi.h"
#include "service/plugin_host/document_view.h"
#include "service/plugin_host/manifest.h"
#include "service/plugin_host/plugin.h"

namespace docanalysis {

class LoadedPlugin final : public Plugin {
 public:
  // `folder` holds the manifest and library. The library is copied into a fresh mkdtemp directory
  // (mode 0700) under `private_dir` (empty: $TMPDIR), opened, and the copy removed at once.
  // `option_overrides` (operator's, "key" -> value) win over the manifest's defaults.
  static absl::StatusOr<std::shared_ptr<const LoadedPlugin>> Load(
      const std::string& folder, PluginManifest manifest, const std::string& private_dir,
      const OptionList& option_overrides = {});

  ~LoadedPlugin() override;
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Runs the plugin; returns its status (code and copied message).
  absl::Status Analyze(const docanalysis_document& doc, const docanalysis_sink& sink) const override;
  Isolation isolation() const override { return Isolation::kInProcess; }

 private:
  LoadedPlugin() = default;

  boost::dll::shared_library library_;  // declared first: unloaded last
  const docanalysis_plugin_api* api_ = nullptr;
  void* instance_ = nullptr;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_LOADED_PLUGIN_H_
