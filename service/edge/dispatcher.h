// What the gRPC edge and the HTTP/JSON edge share, so that both admit, limit and count requests
// the same way: the batch-size limit, admission onto the one bounded executor (RESOURCE_EXHAUSTED
// at once when it is full), the AnalyzeBatch loop, and the request metrics. No transport types:
// each edge parses its own wire format, builds a RequestContext (deadline, cancellation) and
// converts the absl::Status it gets back.
//
// OWNERSHIP: borrows the AnalysisService, Executor and Metrics, which must outlive it and every
// callback it queued.
// THREADING: thread-safe; `done` callbacks run on executor worker threads.
//
//   Dispatcher d(&service, &executor, &metrics, /*max_batch_documents=*/1000);
//   absl::Status queued = d.Analyze("Analyze", request, ctx, absl::Now(),
//       [](absl::StatusOr<v1::AnalyzeResponse> r) { /* answer the caller */ });
//   if (!queued.ok()) { /* answer the caller with `queued` (RESOURCE_EXHAUSTED) */ }
#ifndef DOCANALYSIS_SERVICE_EDGE_DISPATCHER_H_
#define DOCANALYSIS_SERVICE_EDGE_DISPATCHER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/core/analysis_service.h"
#include "service/core/executor.h"
#include "service/edge/metrics.h"

namespace docanalysis {

class Dispatcher {
 public:
  using AnalyzeDone = std::function<void(absl::StatusOr<v1::AnalyzeResponse>)>;
  using BatchDone = std::function<void(absl::StatusOr<v1::AnalyzeBatchResponse>)>;

  Dispatcher(const AnalysisService* service, Executor* executor, Metrics* metrics, size_t max_batch_documents);

  // Queues one analysis. On OK, `done` runs once on a worker with the core's answer, and the
  // request is counted under `method` with the answer's code. Otherwise (the executor's task or
  // byte budget is full) `done` is never called, the refusal is counted, and the returned
  // RESOURCE_EXHAUSTED is the caller's answer. `start` is when the edge received the call (for the
  // latency histogram); `bytes` the size of the request as received (the executor's byte admission).
  absl::Status Analyze(const std::string& method, std::shared_ptr<const v1::AnalyzeRequest> request,
                       RequestContext ctx, absl::Time start, size_t bytes, AnalyzeDone done);
  // The same, building the answer into `*response` (empty; the caller keeps it alive until `done`
  // has run, and discards it when `done` gets an error), so that the caller chooses where it lives:
  // the gRPC edge puts the request and the response of a call on one protobuf arena.
  absl::Status AnalyzeInto(const std::string& method, std::shared_ptr<const v1::AnalyzeRequest> request,
                           v1::AnalyzeResponse* response, RequestContext ctx, absl::Time start, size_t bytes,
                           std::function<void(absl::Status)> done);

  // Queues a batch: every document in order on one worker, each with its own `error`; the batch
  // fails as a whole only when it is over the size limit (INVALID_ARGUMENT, returned here) or its
  // deadline passes or the caller cancels (given to `done`).
  absl::Status AnalyzeBatch(const std::string& method, std::shared_ptr<const v1::AnalyzeBatchRequest> request,
                            RequestContext ctx, absl::Time start, size_t bytes, BatchDone done);

  // The loaded plugins. Server paths and loader errors are shown only to an `admin` caller (one with
  // the admin token); everyone else sees names, versions, features and states.
  v1::ListPluginsResponse ListPlugins(bool admin) const;

  // Counts a call that ended at the edge (a body that does not parse, say).
  void Observe(const std::string& method, const absl::Status& status, absl::Time start) const;

  // The answer to a call the executor has no room for.
  static absl::Status Busy();

  size_t max_batch_documents() const { return max_batch_documents_; }
  size_t max_document_bytes() const { return service_->options().max_document_bytes; }

 private:
  const AnalysisService* service_;
  Executor* executor_;
  Metrics* metrics_;
  size_t max_batch_documents_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_EDGE_DISPATCHER_H_
