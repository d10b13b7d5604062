// A plugin's manifest, `plugin.json` in its folder:
//
//   {"name": "summary", "version": "1.0.0", "abi_version": "1.0", "library": "libsummary.so",
//    "provides": ["summary"], "needs": [], "default": true, "timeout_ms": 10000,
//    "options": {"max_sentences": "3"}, "isolation": "process", "memory_mb": 512, "cpu_seconds": 600}
//
// `needs` names features whose plugins must run before this one; `default` says whether the
// plugin runs when a request names no features; `timeout_ms` is its time budget per document.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_MANIFEST_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_MANIFEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace docanalysis {

struct PluginManifest {
  std::string name;
  std::string version;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::string library;
  std::vector<std::string> provides;
  std::vector<std::string> needs;
  bool default_enabled = true;
  int64_t timeout_ms = 10000;
  // Where the plugin asks to run: "process", "in_process", or empty (the server's default). The
  // operator's --isolation decides whether the request is honoured (plugin_host/isolation.h).
  std::string isolation;
  // Limits of each worker process when isolated (RLIMIT_AS in MiB, RLIMIT_CPU in seconds); 0: the
  // server's flags. They can only lower the operator's limits.
  int64_t memory_mb = 0;
  int64_t cpu_seconds = 0;
  std::vector<std::pair<std::string, std::string>> options;  // defaults, in manifest order
};

inline constexpr std::string_view kManifestFile = "plugin.json";

// Parses and checks a manifest; errors are INVALID_ARGUMENT naming `where` and the field.
absl::StatusOr<PluginManifest> ParseManifest(std::string_view json, std::string_view where);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_MANIFEST_H_
