#include "service/core/analysis_service.h"

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/core/document_text.h"
#include "service/core/merger.h"
#include "service/core/offsets.h"
#include "service/core/planner.h"
#include "service/core/plugin_runs.h"
#include "service/core/validate.h"

namespace docanalysis {

// A request that names no features and no options gets every default plugin with its default
// options, so its plan depends on the snapshot alone: it is made once per snapshot instead of once
// per request.
struct AnalysisService::PlanCache {
  std::shared_ptr<const std::vector<PlannedRun>> DefaultPlan(const std::shared_ptr<const PluginSnapshot>& snap) {
    std::lock_guard<std::mutex> lock(mu);
    // The plan points into the snapshot's plugins: it is used only while the caller holds that very
    // snapshot. A weak reference, so that the cache never keeps an unloaded plugin alive.
    if (snapshot.lock() != snap) {
      absl::StatusOr<std::vector<PlannedRun>> p = Plan(*snap, v1::AnalyzeRequest::default_instance());
      plan = std::make_shared<const std::vector<PlannedRun>>(p.ok() ? *std::move(p) : std::vector<PlannedRun>{});
      snapshot = snap;
    }
    return plan;
  }
  // Whether every plugin of `snap` runs in this process (computed once per snapshot).
  bool AllInProcess(const std::shared_ptr<const PluginSnapshot>& snap) {
    std::lock_guard<std::mutex> lock(mu);
    if (in_process_snapshot.lock() != snap) {
      all_in_process = true;
      for (const auto& p : snap->plugins())
        if (p->isolation() != Isolation::kInProcess) all_in_process = false;
      in_process_snapshot = snap;
    }
    return all_in_process;
  }
  std::mutex mu;
  std::weak_ptr<const PluginSnapshot> in_process_snapshot;
  bool all_in_process = false;
  std::weak_ptr<const PluginSnapshot> snapshot;
  std::shared_ptr<const std::vector<PlannedRun>> plan;
};

AnalysisService::AnalysisService(const PluginRegistry* registry, AnalysisOptions options)
    : registry_(registry), options_(std::move(options)), plan_cache_(std::make_shared<PlanCache>()) {}

absl::StatusOr<v1::AnalyzeResponse> AnalysisService::Analyze(const v1::AnalyzeRequest& req,
                                                             const RequestContext& ctx) const {
  v1::AnalyzeResponse resp;
  if (absl::Status s = AnalyzeInto(req, ctx, &resp); !s.ok()) return s;
  return resp;
}

absl::Status AnalysisService::AnalyzeInto(const v1::AnalyzeRequest& req, const RequestContext& ctx,
                                          v1::AnalyzeResponse* out) const {
  // 1. Validate.
  if (absl::Now() >= ctx.deadline) return absl::DeadlineExceededError("deadline exceeded before the analysis started");
  if (ctx.is_cancelled && ctx.is_cancelled()) return absl::CancelledError("the caller cancelled the request");
  if (absl::Status s = ValidateDocument(req, options_.max_document_bytes); !s.ok()) return s;
  std::shared_ptr<const PluginSnapshot> snap = registry_->Snapshot();  // this request's plugins, to its end

  // 2. Plan (before the text pipeline: an unknown feature should not cost a segmentation).
  std::shared_ptr<const std::vector<PlannedRun>> plan;
  if (req.features().empty() && req.options().empty()) {
    plan = plan_cache_->DefaultPlan(snap);
  } else {
    absl::StatusOr<std::vector<PlannedRun>> named = Plan(*snap, req);
    if (!named.ok()) return named.status();
    plan = std::make_shared<const std::vector<PlannedRun>>(*std::move(named));
  }
  if (absl::Status s = ValidateOptions(*snap, req); !s.ok()) return s;
  if (snap->plugins().empty()) return absl::UnavailableError("no plugins are loaded yet");

  // 3. Text pipeline.
  absl::StatusOr<DocumentText> text = RunTextPipeline(req, ctx);
  if (!text.ok()) return text.status();

  v1::AnalyzeResponse& resp = *out;
  resp.set_document_id(req.document().id());
  resp.set_language(text->language);
  resp.set_token_count(static_cast<int32_t>(text->segmentation.tokens.size()));

  // 4. Run plugins.
  absl::StatusOr<std::vector<PluginResult>> results = RunPlugins(*plan, *text, ctx, options_, &resp);
  if (!results.ok()) return results.status();

  // 5. Merge.
  MergeResults(*results, *text, &resp);

  // 6. Convert offsets.
  ConvertOffsets(*text, req.encoding_type(), &resp);
  return absl::OkStatus();
}

bool AnalysisService::RunsInline(const v1::AnalyzeRequest& request) const {
  if (options_.inline_max_bytes < 0 ||
      request.document().content().size() > static_cast<uint64_t>(options_.inline_max_bytes))
    return false;
  return plan_cache_->AllInProcess(registry_->Snapshot());
}

void FillPluginInfo(const PluginStatus& status, v1::PluginInfo* info) {
  const PluginManifest& m = status.loaded ? status.loaded->manifest() : status.manifest;
  info->set_name(m.name.empty() ? status.folder_name : m.name);
  info->set_version(m.version);
  if (status.loaded) {
    info->set_abi_version(absl::StrCat(status.loaded->built_abi_major(), ".", status.loaded->built_abi_minor()));
  } else if (m.abi_major || m.abi_minor) {
    info->set_abi_version(absl::StrCat(m.abi_major, ".", m.abi_minor));
  }
  for (const auto& f : m.provides) info->add_features(f);
  for (const auto& f : m.needs) info->add_needs(f);
  info->set_state(status.last_error.empty() && status.loaded ? v1::PluginInfo::LOADED : v1::PluginInfo::FAILED);
  info->set_last_error(status.last_error);
  if (status.loaded) {
    info->set_isolation(IsolationName(status.loaded->isolation()));
    PluginHealth health = status.loaded->Health();
    if (health.broken) {
      info->set_state(v1::PluginInfo::BROKEN);
      info->set_last_error(health.broken_reason);
    }
    info->set_worker_crashes(health.worker_crashes);
  }
  info->set_path(status.path);
  for (const auto& [k, v] : m.options) (*info->mutable_options())[k] = v;
  info->set_default_enabled(m.default_enabled);
}

v1::ListPluginsResponse AnalysisService::ListPlugins() const {
  v1::ListPluginsResponse out;
  for (const PluginStatus& s : registry_->Statuses()) FillPluginInfo(s, out.add_plugins());
  out.set_host_abi_version(absl::StrCat(DOCANALYSIS_ABI_MAJOR, ".", DOCANALYSIS_ABI_MINOR));
  return out;
}

}  // namespace docanalysis
