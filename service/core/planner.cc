#include "service/core/planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace docanalysis {
namespace {

OptionList OptionsFor(const Plugin& p, const v1::AnalyzeRequest& req) {
  OptionList out = p.manifest().options;
  for (const auto& [k, v] : req.options()) {
    std::string_view key(k);
    size_t dot = key.find('.');
    if (dot == std::string_view::npos) continue;
    std::string_view prefix = key.substr(0, dot);
    bool mine = prefix == p.name();
    for (const auto& f : p.manifest().provides) mine |= prefix == f;
    if (mine) OverlayOption(&out, key.substr(dot + 1), v);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<PlannedRun>> Plan(const PluginSnapshot& snap, const v1::AnalyzeRequest& req) {
  std::map<const Plugin*, std::vector<std::string>> chosen;
  if (req.features().empty()) {
    for (const auto& p : snap.plugins())
      if (p->manifest().default_enabled) chosen[p.get()] = p->manifest().provides;
  } else {
    std::vector<std::string> unknown;
    for (const auto& f : req.features()) {
      const Plugin* p = snap.FindByFeature(f);
      if (p == nullptr) { unknown.push_back(f); continue; }
      auto& fs = chosen[p];
      if (std::find(fs.begin(), fs.end(), f) == fs.end()) fs.push_back(f);
    }
    if (!unknown.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown feature", unknown.size() > 1 ? "s " : " ", "\"", absl::StrJoin(unknown, "\", \""),
          "\"; known features: ", snap.Features().empty() ? "(no plugins loaded)" : absl::StrJoin(snap.Features(), ", ")));
    }
  }
  // Add what the chosen plugins need, transitively.
  std::vector<const Plugin*> todo;
  for (const auto& [p, f] : chosen) todo.push_back(p);
  while (!todo.empty()) {
    const Plugin* p = todo.back();
    todo.pop_back();
    for (const auto& need : p->manifest().needs) {
      const Plugin* q = snap.FindByFeature(need);
      if (q == nullptr || q == p) continue;  // an unmet need does not block: the plugin sees no such results
      auto [it, inserted] = chosen.try_emplace(q);
      if (std::find(it->second.begin(), it->second.end(), need) == it->second.end()) it->second.push_back(need);
      if (inserted) todo.push_back(q);
    }
  }
  // Order: a plugin runs after the providers of what it needs (Kahn's algorithm, ties by name).
  std::vector<PlannedRun> order;
  std::set<const Plugin*> done;
  std::vector<const Plugin*> pending;
  for (const auto& [p, f] : chosen) pending.push_back(p);
  std::sort(pending.begin(), pending.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const Plugin* p) {
      for (const auto& need : p->manifest().needs) {
        const Plugin* q = snap.FindByFeature(need);
        if (q != nullptr && q != p && chosen.count(q) && !done.count(q)) return false;
      }
      return true;
    });
    if (ready == pending.end()) ready = pending.begin();  // a cycle: break it by name order
    done.insert(*ready);
    order.push_back({*ready, chosen[*ready], OptionsFor(**ready, req)});
    pending.erase(ready);
  }
  return order;
}

}  // namespace docanalysis
