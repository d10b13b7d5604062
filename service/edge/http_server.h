// The HTTP/JSON edge and the web page, on cpp-httplib (Debian's libcpp-httplib-dev).
//
//   POST /v1/documents:analyze       body: an AnalyzeRequest in proto3 JSON; answer: an AnalyzeResponse
//   POST /v1/documents:analyzeBatch  body: an AnalyzeBatchRequest; answer: an AnalyzeBatchResponse
//   GET  /v1/plugins                 a ListPluginsResponse
//   GET  /healthz                    liveness: 200 while the process serves HTTP
//   GET  /readyz                     readiness, the same as gRPC health: 200 once plugins are loaded,
//                                    503 before that and while draining
//   GET  /                           the web page (embedded in the binary; nothing fetched elsewhere)
//
// JSON is protobuf's own mapping (JsonStringToMessage / MessageToJsonString): exactly the proto's
// canonical JSON, lowerCamelCase names (the proto names are accepted too), default values left out.
// Errors use Google's JSON error shape, {"error": {"code": 400, "message": "...", "status":
// "INVALID_ARGUMENT"}}, with the HTTP status that google/rpc/code.proto gives each code.
//
// Requests go through the same Dispatcher as gRPC: the one executor (429 RESOURCE_EXHAUSTED at once
// when it is full), the same document and batch limits, the same metrics (method "Analyze" and
// "AnalyzeBatch", gRPC code numbers). A document over --max_document_bytes is 413 (its code stays
// RESOURCE_EXHAUSTED; 429 is kept for a full executor, which is worth retrying). A body whose Content-Length is over the limit is refused with
// 413 before it is read; a chunked or gzip body is counted as it arrives (after decompression) and
// refused as soon as it passes the limit. `Content-Encoding: gzip` request bodies are inflated;
// responses are compressed when the client sends `Accept-Encoding: gzip` (or br). The deadline
// comes from `grpc-timeout` (gRPC's form: "500m", "2S") or `X-Request-Timeout` (seconds, "2.5", or
// a duration, "2500ms"); past it the call answers 504 DEADLINE_EXCEEDED and its work stops.
//
// OWNERSHIP: borrows the AnalysisService, Executor and Metrics, which must outlive it.
// THREADING: Start/SetServing/Stop may be called from any thread; requests are served on the
// server's own pool of connection threads, and their analyses run on the shared executor.
//
//   HttpServer http(&service, &executor, metrics.get(), max_batch_documents, HttpServerOptions{});
//   absl::StatusOr<int> port = http.Start("127.0.0.1:8080");
//   http.SetServing(true);   // after plugins are loaded
//   ...
//   http.Stop();             // stops accepting, lets in-flight requests finish
#ifndef DOCANALYSIS_SERVICE_EDGE_HTTP_SERVER_H_
#define DOCANALYSIS_SERVICE_EDGE_HTTP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/core/analysis_service.h"
#include "service/core/executor.h"
#include "service/edge/metrics.h"

namespace docanalysis {

struct HttpServerOptions {
  // Largest body of POST /v1/documents:analyze, in bytes after gzip inflation. 0 means
  // 2 * max_document_bytes + 64 KiB: room for a document at the limit with JSON escaping.
  size_t max_body_bytes = 0;
  // Largest body of POST /v1/documents:analyzeBatch (the gRPC edge's --max_message_bytes).
  size_t max_batch_body_bytes = 64 << 20;
  // Connections served at once (each keeps a thread while open; threads start as needed); further ones wait.
  int connection_threads = 32;
  // PEM files. With a certificate and key the listener serves HTTPS only; with a client CA too, every
  // client must present a certificate it signed (mTLS). The gRPC edge's --tls_* flags.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

class HttpServer {
 public:
  HttpServer(const AnalysisService* service, Executor* executor, Metrics* metrics, size_t max_batch_documents,
             HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host_port` ("127.0.0.1:8080"; port 0 picks a free one) and serves on a thread of its own.
  // Returns the bound port. FAILED_PRECONDITION when the TLS files do not load.
  absl::StatusOr<int> Start(const std::string& host_port);
  // What GET /readyz answers: 200 when true, 503 when false (the initial state).
  void SetServing(bool serving);
  // Stops accepting connections and waits for the requests in flight. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP status of a canonical code (google/rpc/code.proto): INVALID_ARGUMENT 400,
// RESOURCE_EXHAUSTED 429, DEADLINE_EXCEEDED 504, CANCELLED 499, ...
int HttpStatusOf(absl::StatusCode code);
// The canonical name of a code: "INVALID_ARGUMENT".
std::string StatusCodeName(absl::StatusCode code);
// {"error": {"code": http_status, "message": ..., "status": NAME}}.
std::string GoogleErrorJson(int http_status, absl::StatusCode code, absl::string_view message);
// Parses a `grpc-timeout` value ("100m", "5S": 1-8 digits and one of H M S m u n).
absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value);
// Parses an `X-Request-Timeout` value: seconds ("2.5") or a duration ("2500ms", "1m30s").
absl::StatusOr<absl::Duration> ParseRequestTimeout(absl::string_view value);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_EDGE_HTTP_SERVER_H_
