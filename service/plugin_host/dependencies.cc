#include "service/plugin_host/dependencies.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace docanalysis {

std::map<std::string, std::string> CheckDependencies(const std::vector<const PluginManifest*>& plugins) {
  std::vector<const PluginManifest*> sorted(plugins);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::map<std::string, std::string> refused;
  auto provides = [](const PluginManifest* p, const std::string& f) {
    return std::find(p->provides.begin(), p->provides.end(), f) != p->provides.end();
  };
  // The accepted provider of `feature`, first by name; null when none.
  auto provider = [&](const std::string& feature) -> const PluginManifest* {
    for (const PluginManifest* p : sorted)
      if (!refused.count(p->name) && provides(p, feature)) return p;
    return nullptr;
  };
  // The first refused provider of `feature`, for the message.
  auto refused_provider = [&](const std::string& feature) -> const PluginManifest* {
    for (const PluginManifest* p : sorted)
      if (refused.count(p->name) && provides(p, feature)) return p;
    return nullptr;
  };
  for (bool changed = true; changed;) {
    changed = false;
    // Missing needs.
    for (const PluginManifest* p : sorted) {
      if (refused.count(p->name)) continue;
      for (const std::string& need : p->needs) {
        if (provides(p, need) || provider(need) != nullptr) continue;
        const PluginManifest* r = refused_provider(need);
        refused[p->name] =
            r != nullptr
                ? absl::StrCat("needs feature \"", need, "\", whose provider ", r->name, " cannot run: ", refused[r->name])
                : absl::StrCat("needs feature \"", need, "\", which no loaded plugin provides; install a plugin that "
                               "provides it or remove it from \"needs\" in plugin.json");
        changed = true;
        break;
      }
    }
    if (changed) continue;
    // Cycles, by depth-first search over plugin -> provider of each need.
    std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
    std::vector<const PluginManifest*> stack;
    std::vector<std::vector<std::string>> cycles;
    std::function<void(const PluginManifest*)> visit = [&](const PluginManifest* p) {
      state[p->name] = 1;
      stack.push_back(p);
      for (const std::string& need : p->needs) {
        if (provides(p, need)) continue;
        const PluginManifest* q = provider(need);
        if (q == nullptr) continue;
        if (state[q->name] == 1) {
          std::vector<std::string> cycle;
          auto it = std::find(stack.begin(), stack.end(), q);
          for (; it != stack.end(); ++it) cycle.push_back((*it)->name);
          cycle.push_back(q->name);
          cycles.push_back(std::move(cycle));
        } else if (state[q->name] == 0) {
          visit(q);
        }
      }
      stack.pop_back();
      state[p->name] = 2;
    };
    for (const PluginManifest* p : sorted)
      if (!refused.count(p->name) && state[p->name] == 0) visit(p);
    for (const auto& cycle : cycles) {
      std::string msg = absl::StrCat("dependency cycle through \"needs\": ", absl::StrJoin(cycle, " -> "),
                                     "; a plugin cannot run after itself, remove one of these needs");
      for (size_t i = 0; i + 1 < cycle.size(); ++i)
        if (refused.emplace(cycle[i], msg).second) changed = true;
    }
  }
  return refused;
}

}  // namespace docanalysis
