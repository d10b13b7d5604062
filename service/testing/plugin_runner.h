// Test harness for plugins: loads a staged plugin folder the way the server does (manifest,
// ABI checks, private copy, create with the manifest's option defaults, through LoadedPlugin) and
// runs it on a text segmented by the host's own segmenter, recording the results with the host's
// ResultCollector. A plugin test therefore sees exactly what the server would keep.
//
//   auto runner = PluginRunner::Load(SENTIMENT_PLUGIN_DIR);
//   PluginRun run = (*runner)->Run("I love it. I hate it.", {{"neutral_threshold", "0.1"}});
//   EXPECT_TRUE(run.status.ok());
//   EXPECT_EQ(run.results->sentence_sentiments.size(), 2u);
//
// THREADING: Run is thread-safe (as plugins are). OWNERSHIP: a PluginRun owns its text copy,
// segmentation and results.
#ifndef DOCANALYSIS_SERVICE_TESTING_PLUGIN_RUNNER_H_
#define DOCANALYSIS_SERVICE_TESTING_PLUGIN_RUNNER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "service/core/result_collector.h"
#include "service/plugin_host/loaded_plugin.h"
#include "service/text/segmenter.h"

namespace docanalysis::testing {

struct PluginRun {
  // The plugin's status; its message is the one the plugin set.
  absl::Status status;
  std::string text;
  text::Segmentation segmentation;
  // What the plugin wrote, as the host keeps it (points into `text`).
  std::unique_ptr<ResultCollector> results;
};

class PluginRunner {
 public:
  // Loads the plugin folder `folder` (holding plugin.json). `overrides` play the operator's
  // --plugin_option role.
  static absl::StatusOr<std::unique_ptr<PluginRunner>> Load(
      const std::string& folder, const std::vector<std::pair<std::string, std::string>>& overrides = {});

  // Runs the plugin on `text` with request `options` (keys without the plugin prefix) over the
  // manifest's defaults. `cancelled`, if set, is what the plugin's is_cancelled polls.
  PluginRun Run(std::string_view text, const std::vector<std::pair<std::string, std::string>>& options = {},
                std::function<bool()> cancelled = {}) const;

  const Plugin& plugin() const { return *plugin_; }

 private:
  explicit PluginRunner(std::shared_ptr<const Plugin> plugin) : plugin_(std::move(plugin)) {}
  std::shared_ptr<const Plugin> plugin_;
};

}  // namespace docanalysis::testing

#endif  // DOCANALYSIS_SERVICE_TESTING_PLUGIN_RUNNER_H_
