#include "service/plugin_host/plugin_registry.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "service/common/strings.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "service/common/log.h"

namespace docanalysis {

namespace fs = std::filesystem;

PluginSnapshot::PluginSnapshot(std::vector<std::shared_ptr<const Plugin>> plugins)
    : plugins_(std::move(plugins)) {
  std::sort(plugins_.begin(), plugins_.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  for (const auto& p : plugins_) {
    by_name_.emplace(p->name(), p.get());
    for (const auto& f : p->manifest().provides) by_feature_.emplace(f, p.get());  // first by name wins
  }
}

const Plugin* PluginSnapshot::FindByFeature(std::string_view feature) const {
  auto it = by_feature_.find(AV(feature));
  return it == by_feature_.end() ? nullptr : it->second;
}

const Plugin* PluginSnapshot::FindByName(std::string_view name) const {
  auto it = by_name_.find(AV(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginSnapshot::Features() const {
  std::vector<std::string> out;
  for (const auto& [f, p] : by_feature_) out.push_back(f);
  std::sort(out.begin(), out.end());
  return out;
}

PluginRegistry::PluginRegistry(PluginRegistryOptions options) : options_(std::move(options)) {
  std::atomic_store(&snapshot_, std::make_shared<const PluginSnapshot>(std::vector<std::shared_ptr<const Plugin>>{}));
}

PluginRegistry::~PluginRegistry() { StopWatching(); }

uint64_t PluginRegistry::Fingerprint(const std::string& folder, bool* has_manifest, absl::Time* newest) {
  *has_manifest = false;
  if (newest != nullptr) *newest = absl::InfinitePast();
  const auto file_now = fs::file_time_type::clock::now();
  const absl::Time now = absl::Now();
  std::error_code ec;
  std::vector<std::string> parts;
  int budget = 2000;  // files looked at, at most
  for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end && budget-- > 0; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    fs::path rel = fs::relative(it->path(), folder, e2);
    if (rel == fs::path(kManifestFile)) *has_manifest = true;
    auto size = it->file_size(e2);
    auto written = it->last_write_time(e2);
    auto mtime = written.time_since_epoch().count();
    if (newest != nullptr && !e2) {
      absl::Time t = now - absl::FromChrono(file_now - written);
      if (t > *newest) *newest = t;
    }
    parts.push_back(absl::StrCat(rel.string(), ":", size, ":", mtime));
  }
  std::sort(parts.begin(), parts.end());
  return absl::HashOf(absl::StrJoin(parts, "|"));
}

void PluginRegistry::Rescan(bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  ScanLocked(force, /*respect_quiet=*/false);
}

void PluginRegistry::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  ScanLocked(/*force=*/true, /*respect_quiet=*/true);
}

void PluginRegistry::ScanLocked(bool force, bool respect_quiet) {
  bool changed = false;
  std::map<std::string, std::string> present;  // folder name -> path
  std::error_code ec;
  if (fs::is_directory(options_.plugin_dir, ec)) {
    for (fs::directory_iterator it(options_.plugin_dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.' || !it->is_directory(e2)) continue;
      present.emplace(name, it->path().string());
    }
  }
  const absl::Time now = absl::Now();
  std::set<std::string> plugins;  // folders holding a manifest
  for (const auto& [name, path] : present) {
    bool has_manifest = false;
    absl::Time newest;
    uint64_t fp = Fingerprint(path, &has_manifest, &newest);
    if (!has_manifest) {
      observations_.erase(name);
      continue;  // not a plugin (yet); handled as absent below
    }
    if (force && respect_quiet && now - newest < options_.quiet_period) {
      // Written to moments ago: it may be half-copied. Watch it like any change.
      plugins.insert(name);
      observations_[name] = {fp, now};
      Log(LogLevel::kInfo, "plugin folder still changing; loads once quiet", {{"folder", path}});
      continue;
    }
    plugins.insert(name);
    auto it = entries_.find(name);
    if (!force && it != entries_.end() && it->second.fingerprint == fp) {
      observations_.erase(name);
      continue;
    }
    if (!force) {
      auto obs = observations_.find(name);
      if (obs == observations_.end() || obs->second.fingerprint != fp) {
        observations_[name] = {fp, now};
        continue;  // changed since the last look: wait until it is quiet
      }
      if (now - obs->second.since < options_.quiet_period) continue;
    }
    observations_.erase(name);
    LoadLocked(name, fp).IgnoreError();  // recorded in the entry and logged
    changed = true;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (plugins.count(it->first)) {
      e.absent_since.reset();
      ++it;
      continue;
    }
    if (!e.absent_since) {
      e.absent_since = now;
      if (e.status.loaded && options_.removal_grace > absl::ZeroDuration()) {
        Log(LogLevel::kInfo, "plugin folder gone; keeps serving until replaced or the grace period ends",
            {{"folder", e.path}, {"grace_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.removal_grace))}});
      }
    }
    if (e.status.loaded && now - *e.absent_since < options_.removal_grace) {
      ++it;
      continue;
    }
    Log(LogLevel::kInfo, "plugin unloaded: folder removed", {{"folder", e.path}});
    it = entries_.erase(it);
    changed = true;
  }
  if (changed) PublishLocked();
}

absl::Status PluginRegistry::CheckSafety(const std::string& folder, const std::string& library) const {
  if (!options_.check_permissions) return absl::OkStatus();
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(options_.plugin_dir, ec);
  const fs::path dir = fs::weakly_canonical(folder, ec);
  auto inside = [](const fs::path& base, const fs::path& p) {
    auto b = base.begin(), q = p.begin();
    for (; b != base.end(); ++b, ++q)
      if (q == p.end() || *b != *q) return false;
    return true;
  };
  const std::string relax = " (--allow_unsafe_plugins relaxes this for development)";
  if (!inside(root, dir) || dir == root) {
    return absl::PermissionDeniedError(absl::StrCat(folder, " is a symlink that leads outside the plugin folder ",
                                                    options_.plugin_dir, ", to ", dir.string(), relax));
  }
  const fs::path lib = fs::weakly_canonical(fs::path(folder) / library, ec);
  if (!inside(dir, lib)) {
    return absl::PermissionDeniedError(absl::StrCat(folder, ": library ", library,
                                                    " is a symlink that leads outside its plugin folder, to ",
                                                    lib.string(), relax));
  }
  for (const fs::path& p : {root, dir, fs::path(folder) / std::string(kManifestFile), lib}) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;  // a missing file fails later with its own message
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
      return absl::PermissionDeniedError(
          absl::StrCat(p.string(), " is owned by uid ", st.st_uid, ", neither root nor this server's user", relax));
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(p == root && (st.st_mode & S_ISVTX))) {
      return absl::PermissionDeniedError(
          absl::StrCat(p.string(), " is writable by ", (st.st_mode & S_IWOTH) ? "every user" : "its group",
                       ", so another user could replace the code this server runs; chmod go-w it", relax));
    }
  }
  return absl::OkStatus();
}

absl::Status PluginRegistry::LoadLocked(const std::string& folder_name, uint64_t fingerprint) {
  std::string path = (fs::path(options_.plugin_dir) / folder_name).string();
  Entry& entry = entries_[folder_name];
  entry.path = path;
  entry.fingerprint = fingerprint;
  entry.status.folder_name = folder_name;
  entry.status.path = path;
  auto fail = [&](absl::Status s) {
    entry.status.last_error = std::string(SV(s.message()));
    Log(LogLevel::kError, "plugin failed to load", {{"folder", path}, {"error", SV(s.message())},
                                                    {"serving", entry.status.loaded ? entry.status.loaded->manifest().version : "none"}});
    return s;
  };
  std::ifstream in(fs::path(path) / std::string(kManifestFile));
  if (!in) return fail(absl::NotFoundError(absl::StrCat(path, ": cannot read ", AV(kManifestFile))));
  std::stringstream buf;
  buf << in.rdbuf();
  auto manifest = ParseManifest(buf.str(), (fs::path(path) / std::string(kManifestFile)).string());
  if (!manifest.ok()) return fail(manifest.status());
  if (!entry.status.loaded) entry.status.manifest = *manifest;
  if (absl::Status safe = CheckSafety(path, manifest->library); !safe.ok()) return fail(safe);
  for (const auto& [other_name, other] : entries_) {
    if (other_name != folder_name && other.status.loaded && other.status.loaded->name() == manifest->name) {
      return fail(absl::AlreadyExistsError(absl::StrCat(path, ": a plugin named \"", manifest->name,
                                                        "\" is already loaded from ", other.path)));
    }
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  if (auto o = options_.option_overrides.find(manifest->name); o != options_.option_overrides.end()) overrides = o->second;
  absl::StatusOr<std::shared_ptr<const Plugin>> loaded;
  if (options_.loader) loaded = options_.loader(path, *manifest, options_.private_dir, overrides);
  else loaded = LoadedPlugin::Load(path, *manifest, options_.private_dir, overrides);
  if (!loaded.ok()) return fail(loaded.status());
  entry.status.loaded = *std::move(loaded);
  entry.status.manifest = entry.status.loaded->manifest();
  entry.status.last_error.clear();
  Log(LogLevel::kInfo, "plugin loaded", {{"plugin", entry.status.manifest.name}, {"version", entry.status.manifest.version},
                                         {"features", absl::StrJoin(entry.status.manifest.provides, ",")}, {"folder", path}});
  return absl::OkStatus();
}

void PluginRegistry::PublishLocked() {
  std::vector<std::shared_ptr<const Plugin>> plugins;
  for (const auto& [name, e] : entries_)
    if (e.status.loaded) plugins.push_back(e.status.loaded);
  size_t n = plugins.size();
  std::atomic_store(&snapshot_, std::make_shared<const PluginSnapshot>(std::move(plugins)));
  if (options_.on_publish) options_.on_publish(n);
}

absl::StatusOr<PluginStatus> PluginRegistry::LoadOne(const std::string& folder_name) {
  if (folder_name.empty() || folder_name.find('/') != std::string::npos || folder_name[0] == '.')
    return absl::InvalidArgumentError("plugin folder name must be a plain name inside the plugin folder");
  std::lock_guard<std::mutex> lock(mu_);
  std::string path = (fs::path(options_.plugin_dir) / folder_name).string();
  bool has_manifest = false;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return absl::NotFoundError(absl::StrCat("no plugin folder ", path));
  uint64_t fp = Fingerprint(path, &has_manifest);
  absl::Status s = LoadLocked(folder_name, fp);
  observations_.erase(folder_name);
  PublishLocked();
  if (!s.ok()) return s;
  return entries_[folder_name].status;
}

absl::Status PluginRegistry::UnloadOne(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == name || (it->second.status.loaded && it->second.status.loaded->name() == name)) {
      Log(LogLevel::kInfo, "plugin unloaded on request", {{"folder", it->second.path}});
      // Keep the fingerprint so the watcher does not load it straight back; a change reloads it.
      it->second.status.loaded.reset();
      it->second.status.last_error = "unloaded by an admin call; change the folder or call LoadPlugin to load it again";
      PublishLocked();
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("no plugin named ", name));
}

std::vector<PluginStatus> PluginRegistry::Statuses() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PluginStatus> out;
  for (const auto& [name, e] : entries_) out.push_back(e.status);
  return out;
}

void PluginRegistry::StartWatching(absl::Duration interval) {
  StopWatching();
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stop_ = false;
  }
  watcher_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!stop_) {
      watch_cv_.wait_for(lock, absl::ToChronoMilliseconds(interval), [this] { return stop_ || rescan_requested_; });
      if (stop_) break;
      bool force = rescan_requested_;
      rescan_requested_ = false;
      lock.unlock();
      if (force) Reload();
      else Rescan(false);
      lock.lock();
    }
  });
}

void PluginRegistry::StopWatching() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void PluginRegistry::RequestRescan() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    rescan_requested_ = true;
  }
  watch_cv_.notify_all();
}

}  // namespace docanalysis
