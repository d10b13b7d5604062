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
  OptionList merged = plugin_->manifest().options;
  OverlayOptions(&merged, OptionList(options.begin(), options.end()));
  if (!cancelled) cancelled = [] { return false; };
  DocumentParts parts;
  parts.text = run.text;
  parts.language = "en";
  parts.tokens = run.segmentation.tokens.data();
  parts.token_count = run.segmentation.tokens.size();
  parts.sentences = run.segmentation.sentences.data();
  parts.sentence_count = run.segmentation.sentences.size();
  parts.is_cancelled = [](void* ctx) { return (*static_cast<std::function<bool()>*>(ctx))() ? 1 : 0; };
  parts.cancel_ctx = &cancelled;
  DocumentView view(parts, merged, plugin_->manifest().provides);
  const docanalysis_document& d = view.doc();

  docanalysis_sink sink = run.results->Sink();
  absl::Status status = plugin_->Analyze(d, sink);
  if (!status.ok()) status = absl::Status(status.code(), run.results->error);
  run.status = status;
  return run;
}

}  // namespace docanalysis::testing
