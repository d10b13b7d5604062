#include "service/plugin_host/isolation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/plugin_host/loaded_plugin.h"

namespace docanalysis {

absl::StatusOr<IsolationMode> ParseIsolationMode(std::string_view mode) {
  if (mode == "auto") return IsolationMode::kAuto;
  if (mode == "manifest") return IsolationMode::kManifest;
  if (mode == "process") return IsolationMode::kProcess;
  if (mode == "in_process") return IsolationMode::kInProcess;
  return absl::InvalidArgumentError(
      absl::StrCat("isolation mode \"", std::string(mode), "\" must be one of auto, manifest, process, in_process"));
}

absl::StatusOr<Isolation> ParseIsolation(std::string_view isolation) {
  if (isolation == "process") return Isolation::kProcess;
  if (isolation == "in_process") return Isolation::kInProcess;
  return absl::InvalidArgumentError(absl::StrCat("isolation \"", std::string(isolation), "\" must be process or in_process"));
}

Isolation IsolationPolicy::Decide(const PluginManifest& m) const {
  if (auto it = per_plugin.find(m.name); it != per_plugin.end()) return it->second;
  const Isolation automatic = built_in.count(m.name) ? Isolation::kInProcess : Isolation::kProcess;
  switch (mode) {
    case IsolationMode::kProcess: return Isolation::kProcess;
    case IsolationMode::kInProcess: return Isolation::kInProcess;
    case IsolationMode::kManifest:
      if (!m.isolation.empty()) return m.isolation == "process" ? Isolation::kProcess : Isolation::kInProcess;
      return automatic;
    case IsolationMode::kAuto:
    default:
      return m.isolation == "process" ? Isolation::kProcess : automatic;
  }
}

decltype(PluginRegistryOptions::loader) MakePluginLoader(IsolationPolicy policy) {
  return [policy = std::move(policy)](const std::string& folder, const PluginManifest& manifest,
                                      const std::string& private_dir,
                                      const OptionList& overrides) -> absl::StatusOr<std::shared_ptr<const Plugin>> {
    if (policy.Decide(manifest) == Isolation::kProcess) {
      auto p = ProcessPlugin::Start(folder, manifest, private_dir, overrides, policy.process);
      if (!p.ok()) return p.status();
      return std::shared_ptr<const Plugin>(*std::move(p));
    }
    auto p = LoadedPlugin::Load(folder, manifest, private_dir, overrides);
    if (!p.ok()) return p.status();
    return std::shared_ptr<const Plugin>(*std::move(p));
  };
}

}  // namespace docanalysis
