// Load-time checks of the plugins' "needs": which plugins cannot run because a feature they need
// has no provider among the loaded plugins, or because they sit on a dependency cycle.
//
// The registry publishes only the plugins this check accepts; a refused plugin stays loaded but
// out of service, with the reason as its last error in ListPlugins, and comes back by itself once
// what it needs is loaded (a provider copied in later) or the cycle is gone.
//
// Providers are resolved as PluginSnapshot does (for a feature several plugins provide, the first
// by name), among the plugins still accepted; a need a plugin provides itself is ignored. A plugin
// that needs a refused plugin is refused in turn, with the reason naming the chain.
//
//   std::map<std::string, std::string> refused = CheckDependencies({&entity, &quotes});
//   // quotes needs "entities": accepted when entity provides it.
//
// THREADING: a pure function.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_DEPENDENCIES_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_DEPENDENCIES_H_

#include <map>
#include <string>
#include <vector>

#include "service/plugin_host/manifest.h"

namespace docanalysis {

// Plugin name -> why it is refused, for every plugin that cannot run.
std::map<std::string, std::string> CheckDependencies(const std::vector<const PluginManifest*>& plugins);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_DEPENDENCIES_H_
