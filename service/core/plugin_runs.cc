#include "service/core/plugin_runs.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace docanalysis {
namespace {

// What a plugin's is_cancelled callback looks at.
struct CancelState {
  absl::Time budget_end;
  const RequestContext* ctx;
  bool Cancelled() const { return absl::Now() >= budget_end || ctx->Cancelled(); }
  static int Poll(void* p) { return static_cast<const CancelState*>(p)->Cancelled() ? 1 : 0; }
};

// The run record's code and message from the plugin's status and the time it took.
void FinishRecord(absl::Status st, const ResultCollector& c, absl::Time start, absl::Time end,
                  const CancelState& cancel, int64_t budget_ms, v1::PluginRun* pr) {
  const absl::Time deadline = cancel.ctx->deadline;
  std::string error = c.error;
  if (st.ok() && c.overflowed()) {
    st = absl::ResourceExhaustedError(absl::StrCat("plugin wrote more than its cap of ", c.max_results,
                                                   " results or ", c.max_bytes >> 20,
                                                   " MiB for this document; its results were dropped"));
  }
  if (st.ok() && end > cancel.budget_end && end < deadline) {
    st = absl::DeadlineExceededError(absl::StrCat("plugin ran ", absl::ToInt64Milliseconds(end - start),
                                                  " ms, past its budget of ", budget_ms, " ms"));
  }
  if (!st.ok() && end >= cancel.budget_end && end < deadline && st.code() == absl::StatusCode::kCancelled) {
    // Stopped because its budget ran out; a host-side detail (a killed worker) is kept.
    std::string detail = error.empty() ? std::string(st.message()) : "";
    st = absl::DeadlineExceededError(absl::StrCat("plugin stopped at its time budget of ", budget_ms, " ms",
                                                  detail.empty() ? "" : ": ", detail));
    error.clear();
  }
  if (st.ok()) {
    pr->set_code(0);
    if (c.rejected > 0) pr->set_message(absl::StrCat(c.rejected, " results with invalid offsets or indices were ignored"));
    return;
  }
  pr->set_code(static_cast<int32_t>(st.code()));
  std::string msg = !error.empty() ? error : std::string(st.message());
  if (st.code() == absl::StatusCode::kDeadlineExceeded && error.empty() && end >= deadline)
    msg = "stopped at the request deadline";
  if (msg.empty()) msg = "plugin failed without a message";
  pr->set_message(msg);
}

}  // namespace

absl::StatusOr<std::vector<PluginResult>> RunPlugins(const std::vector<PlannedRun>& plan, const DocumentText& text,
                                                     const RequestContext& ctx, const AnalysisOptions& options,
                                                     v1::AnalyzeResponse* resp) {
  std::vector<PluginResult> results;
  results.reserve(plan.size());
  const DocumentParts parts = text.Parts();
  for (const PlannedRun& run : plan) {
    const absl::Time start = absl::Now();
    if (ctx.Cancelled()) return absl::CancelledError("the caller cancelled the request");
    if (start >= ctx.deadline) {
      return absl::DeadlineExceededError(absl::StrCat("deadline exceeded before plugin ", run.plugin->name(), " ran"));
    }
    const PluginManifest& m = run.plugin->manifest();
    const int64_t budget_ms = options.plugin_timeout_ms > 0 ? options.plugin_timeout_ms : m.timeout_ms;
    CancelState cancel{std::min(ctx.deadline, start + absl::Milliseconds(budget_ms)), &ctx};
    DocumentParts p = parts;
    p.is_cancelled = &CancelState::Poll;
    p.cancel_ctx = &cancel;
    DocumentView view(p, run.options, run.features);

    ResultCollector c;
    c.text = text.text();
    c.sentence_count = text.segmentation.sentences.size();
    c.max_results = 16 * (text.segmentation.tokens.size() + text.segmentation.sentences.size()) + 4096;
    docanalysis_sink sink = c.Sink();
    absl::Status st = run.plugin->Analyze(view.doc(), sink);
    const absl::Time end = absl::Now();

    v1::PluginRun* pr = resp->add_plugin_runs();
    pr->set_plugin(m.name);
    pr->set_version(m.version);
    pr->set_latency_us(absl::ToInt64Microseconds(end - start));
    for (const auto& f : run.features) pr->add_features(f);
    FinishRecord(st, c, start, end, cancel, budget_ms, pr);
    if (pr->code() == 0) results.push_back({&run, std::move(c)});
    if (options.on_plugin_run) options.on_plugin_run(*pr);
    if (ctx.Cancelled()) return absl::CancelledError("the caller cancelled the request");
    if (absl::Now() >= ctx.deadline) {
      return absl::DeadlineExceededError(absl::StrCat("deadline exceeded while plugin ", m.name, " ran"));
    }
  }
  return results;
}

}  // namespace docanalysis
