// What the edge knows about one call (its deadline, whether the caller went away) and the
// service-wide settings every request stage reads.
#ifndef DOCANALYSIS_SERVICE_CORE_REQUEST_CONTEXT_H_
#define DOCANALYSIS_SERVICE_CORE_REQUEST_CONTEXT_H_

#include <cstddef>
#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "docanalysis/v1/docanalysis.pb.h"

namespace docanalysis {

struct AnalysisOptions {
  size_t max_document_bytes = 1 << 20;
  // When > 0, overrides every manifest's timeout_ms.
  int64_t plugin_timeout_ms = 0;
  // Requests whose document text is at most this many bytes, and whose plugins all run in the
  // server process, run on the thread that received them when an executor worker is idle (the
  // same admission, without the hand-off to a worker); negative: never.
  int64_t inline_max_bytes = 256;
  // Per-request observer of each plugin run (metrics); may be empty. Called from worker threads.
  std::function<void(const v1::PluginRun&)> on_plugin_run;
};

// What the edge knows about the call: its deadline and whether the caller went away.
struct RequestContext {
  absl::Time deadline = absl::InfiniteFuture();
  // Returns true once the call is cancelled; may be empty. Must be thread-safe.
  std::function<bool()> is_cancelled;

  bool Cancelled() const { return is_cancelled && is_cancelled(); }
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_REQUEST_CONTEXT_H_
