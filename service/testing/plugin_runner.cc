#include "service/testing/plugin_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace docanalysis::testing {

absl::StatusOr<std::unique_ptr<PluginRunner>> PluginRunner::Load(
    const std::string& folder, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::ifstream in(std::filesystem::path(folder) / std::string(kManifestFile));
  if (!in) return absl::NotFoundError(absl::StrCat("no plugin.json in ", folder));
  std::stringstream json;
  json << in.rdbuf();
  auto manifest = ParseManifest(json.str(), folder);
  if (!manifest.ok()) return manifest.status();
  auto loaded = LoadedPlugin::Load(folder, *std::move(manifest), /*private_dir=*/"", overrides);
  if (!loaded.ok()) return loaded.status();
  return std::unique_ptr<PluginRunner>(new PluginRunner(*std::move(loaded)));
}

PluginRun PluginRunner::Run(std::string_view text, const std::vector<std::pair<std::string, std::string>>& options,
                            std::function<bool()> cancelled) const {
  PluginRun run;
  run.text = std::string(text);
  run.segmentation = text::Segment(run.text);
  run.results = std::make_unique<ResultCollector>();
  run.results->text = run.text;
  run.results->sentence_count = run.segmentation.sentences.size();

  // Request options over the manifest's defaults, as the host merges them.
  std::vector<std::pair<std::string, std::string>> merged = plugin_->manifest().options;
  for (const auto& [k, v] : options) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& kv) { return kv.first == k; });
    if (it != merged.end()) it->second = v;
    else merged.emplace_back(k, v);
  }
  std::vector<docanalysis_option> opts;
  for (const auto& [k, v] : merged) opts.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  std::vector<docanalysis_str> features;
  for (const auto& f : plugin_->manifest().provides) features.push_back({f.data(), f.size()});

  docanalysis_document d{};
  d.text = {run.text.data(), run.text.size()};
  d.language = {"en", 2};
  d.tokens = run.segmentation.tokens.data();
  d.token_count = run.segmentation.tokens.size();
  d.sentences = run.segmentation.sentences.data();
  d.sentence_count = run.segmentation.sentences.size();
  d.options = opts.data();
  d.option_count = opts.size();
  d.features = features.data();
  d.feature_count = features.size();
  d.is_cancelled = [](void* ctx) { return (*static_cast<std::function<bool()>*>(ctx))() ? 1 : 0; };
  if (!cancelled) cancelled = [] { return false; };
  d.cancel_ctx = &cancelled;

  docanalysis_sink sink = run.results->Sink();
  absl::Status status = plugin_->Analyze(d, sink);
  if (!status.ok()) status = absl::Status(status.code(), run.results->error);
  run.status = status;
  return run;
}

}  // namespace docanalysis::testing
