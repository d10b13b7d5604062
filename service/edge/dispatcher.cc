#include "service/edge/dispatcher.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace docanalysis {

Dispatcher::Dispatcher(const AnalysisService* service, Executor* executor, Metrics* metrics,
                       size_t max_batch_documents)
    : service_(service), executor_(executor), metrics_(metrics), max_batch_documents_(max_batch_documents) {}

v1::ListPluginsResponse Dispatcher::ListPlugins(bool admin) const {
  v1::ListPluginsResponse response = service_->ListPlugins();
  if (!admin) {
    for (v1::PluginInfo& p : *response.mutable_plugins()) {
      p.clear_path();
      if (!p.last_error().empty())
        p.set_last_error("the plugin failed to load; the server log (or ListPlugins with the admin token) says why");
    }
  }
  return response;
}

absl::Status Dispatcher::Busy() {
  return absl::ResourceExhaustedError("server busy: too many requests in flight; retry with backoff or add replicas");
}

void Dispatcher::Observe(const std::string& method, const absl::Status& status, absl::Time start) const {
  metrics_->ObserveRequest(method, static_cast<int>(status.code()), absl::Now() - start);
}

absl::Status Dispatcher::Analyze(const std::string& method, std::shared_ptr<const v1::AnalyzeRequest> request,
                                 RequestContext ctx, absl::Time start, size_t bytes, AnalyzeDone done) {
  auto response = std::make_shared<v1::AnalyzeResponse>();
  v1::AnalyzeResponse* out = response.get();
  return AnalyzeInto(method, std::move(request), out, std::move(ctx), start, bytes,
                     [response = std::move(response), done = std::move(done)](absl::Status status) {
                       if (status.ok()) done(std::move(*response));
                       else done(std::move(status));
                     });
}

absl::Status Dispatcher::AnalyzeInto(const std::string& method, std::shared_ptr<const v1::AnalyzeRequest> request,
                                     v1::AnalyzeResponse* response, RequestContext ctx, absl::Time start,
                                     size_t bytes, std::function<void(absl::Status)> done) {
  const bool small = service_->RunsInline(*request);
  std::function<void()> task = [this, method, request = std::move(request), response, ctx = std::move(ctx), start,
                                done = std::move(done)] {
    absl::Status status = service_->AnalyzeInto(*request, ctx, response);
    Observe(method, status, start);
    done(std::move(status));
  };
  // A small document with in-process plugins costs less than handing it to a worker: it runs here
  // when a worker is idle (admitted and counted as if a worker ran it).
  if (small && executor_->TryRunHere(task, bytes)) return absl::OkStatus();
  bool queued = executor_->TrySubmit(std::move(task), bytes);
  metrics_->SetInFlight(executor_->InFlight());
  if (queued) return absl::OkStatus();
  absl::Status busy = Busy();
  Observe(method, busy, start);
  return busy;
}

absl::Status Dispatcher::AnalyzeBatch(const std::string& method,
                                      std::shared_ptr<const v1::AnalyzeBatchRequest> request, RequestContext ctx,
                                      absl::Time start, size_t bytes, BatchDone done) {
  if (static_cast<size_t>(request->requests_size()) > max_batch_documents_) {
    absl::Status over = absl::InvalidArgumentError(
        absl::StrCat("batch of ", request->requests_size(), " documents is over the limit of ", max_batch_documents_,
                     " (--max_batch_documents); split it or use AnalyzeStream"));
    Observe(method, over, start);
    return over;
  }
  bool queued = executor_->TrySubmit([this, method, request = std::move(request), ctx = std::move(ctx), start,
                                      done = std::move(done)] {
    v1::AnalyzeBatchResponse response;
    for (const v1::AnalyzeRequest& r : request->requests()) {
      absl::StatusOr<v1::AnalyzeResponse> result = service_->Analyze(r, ctx);
      v1::AnalyzeResponse* out = response.add_responses();
      if (result.ok()) {
        *out = std::move(*result);
        continue;
      }
      if (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
          result.status().code() == absl::StatusCode::kCancelled) {
        Observe(method, result.status(), start);
        done(result.status());
        return;
      }
      out->set_document_id(r.document().id());
      out->mutable_error()->set_code(static_cast<int32_t>(result.status().code()));
      out->mutable_error()->set_message(std::string(result.status().message()));
    }
    Observe(method, absl::OkStatus(), start);
    done(std::move(response));
  }, bytes);
  metrics_->SetInFlight(executor_->InFlight());
  if (queued) return absl::OkStatus();
  absl::Status busy = Busy();
  Observe(method, busy, start);
  return busy;
}

}  // namespace docanalysis
