// docanalysis::Client: the C++ client of the docanalysis service (docanalysis.v1).
//
// A Client owns one gRPC channel to a target and is thread-safe: share one per process (or per
// cluster). Calls block the calling thread until the answer, the deadline or an error. Every call
// returns absl::Status / absl::StatusOr carrying the server's gRPC status code (gRPC and absl share the
// numbering) and its message unchanged.
//
// The channel balances calls round-robin over every address of the target and retries calls that fail
// with UNAVAILABLE, both through the gRPC service config (ServiceConfigJson()). Targets: "host:port"
// (DNS), "dns:///host:port", or a fixed list "ipv4:10.0.0.1:50051,10.0.0.2:50051"; a plain comma list of
// host:port is taken as such a list (host names are resolved once, when the client is created).
//
//   docanalysis::ClientOptions options;
//   options.target = "ipv4:127.0.0.1:50051,127.0.0.1:50052";
//   auto client = docanalysis::Client::Create(options);
//   absl::StatusOr<docanalysis::v1::AnalyzeResponse> r = (*client)->Analyze("Angela Merkel visited Paris.");
//   if (!r.ok()) std::cerr << r.status() << "\n";
//   else for (const auto& e : r->entities()) std::cout << e.name() << "\n";
//
// Offsets count bytes of the UTF-8 text by default, so text.substr(begin, end - begin) is the span.
#ifndef DOCANALYSIS_CLIENTS_CPP_DOCANALYSIS_CLIENT_CLIENT_H_
#define DOCANALYSIS_CLIENTS_CPP_DOCANALYSIS_CLIENT_CLIENT_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "docanalysis/v1/docanalysis.grpc.pb.h"
#include "docanalysis/v1/docanalysis.pb.h"

namespace docanalysis {

// How a Client reaches the service.
struct ClientOptions {
  // gRPC target (see the file comment).
  std::string target = "127.0.0.1:50051";
  // Deadline of each unary call without a CallOptions::timeout; zero or less means none. Streams have no
  // deadline unless the call asks for one (CallOptions::timeout).
  std::chrono::milliseconds timeout{30000};
  // Tries in all of a call that fails with UNAVAILABLE (gRPC caps it at 5); 1 turns retries off.
  int max_attempts = 4;
  // TLS: off by default. With use_tls, root_certs_pem (PEM text; empty: the system roots) is trusted
  // and server_name_override, when set, is the name checked against the certificate.
  bool use_tls = false;
  std::string root_certs_pem;
  std::string server_name_override;
  // Mutual TLS: the client's certificate chain and private key (PEM text); setting them implies use_tls.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Offset encoding of requests built from text by Analyze(text, ...).
  v1::EncodingType encoding = v1::UTF8;
};

// Per-request settings of Analyze(text, ...).
struct AnalyzeOptions {
  std::vector<std::string> features;             // empty: the server's default features
  std::optional<v1::EncodingType> encoding;      // unset: ClientOptions::encoding
  std::map<std::string, std::string> options;    // per-plugin options, "summary.max_sentences" -> "2"
  std::string document_id;
};

// Cancels calls from any thread: pass it in CallOptions, call Cancel() to end every call that uses it (they fail
// with CANCELLED; a call started after Cancel() fails at once).
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Client;
  friend struct CancellationAccess;
  // Registers a call's context; false when already cancelled.
  bool Attach(grpc::ClientContext* context);
  void Detach(grpc::ClientContext* context);

  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::set<grpc::ClientContext*> contexts_;
};

// Per-call settings.
struct CallOptions {
  // Deadline of this call. Unset: ClientOptions::timeout for unary calls, none for streams.
  std::optional<std::chrono::milliseconds> timeout;
  // Metadata sent with this call (e.g. {"authorization", "Bearer ..."}).
  std::vector<std::pair<std::string, std::string>> metadata;
  // Cancels the call when cancelled (may be shared by several calls).
  std::shared_ptr<Cancellation> cancellation;
};

// The kinds of failure, decided from the status code in one place (ErrorKindOf).
enum class ErrorKind {
  kOk,
  kInvalidRequest,     // INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS
  kAuth,               // UNAUTHENTICATED, PERMISSION_DENIED
  kUnavailable,        // UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED: the retryable ones
  kDeadlineExceeded,   // DEADLINE_EXCEEDED
  kCancelled,          // CANCELLED
  kServer,             // INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED
};
ErrorKind ErrorKindOf(absl::StatusCode code);
// Whether a call that failed with `status` may succeed when tried again.
bool IsRetryable(const absl::Status& status);

// The failed plugin runs of a response, and the first of them as a status (OK when none failed).
std::vector<v1::PluginRun> FailedPluginRuns(const v1::AnalyzeResponse& response);
absl::Status PluginStatus(const v1::AnalyzeResponse& response);
// The responses of a batch whose document failed, and the first failure as a status (OK when none failed).
std::vector<v1::AnalyzeResponse> FailedDocuments(const std::vector<v1::AnalyzeResponse>& responses);
absl::Status DocumentsStatus(const std::vector<v1::AnalyzeResponse>& responses);

// The gRPC service config a client with `max_attempts` tries uses.
std::string ServiceConfigJson(int max_attempts);

// Builds a request for text (valid UTF-8 goes as `content`; anything else as `raw_content`, which the
// server rejects naming the first bad byte).
v1::AnalyzeRequest MakeRequest(std::string_view text, const AnalyzeOptions& options,
                               v1::EncodingType default_encoding = v1::UTF8);

// The error of one document of a batch or stream response: OK unless it failed as a whole.
absl::Status DocumentStatus(const v1::AnalyzeResponse& response);

class Client {
 public:
  // Creates a client; the channel connects lazily on the first call. Fails only on bad options.
  static absl::StatusOr<std::unique_ptr<Client>> Create(const ClientOptions& options);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Analyzes text.
  absl::StatusOr<v1::AnalyzeResponse> Analyze(std::string_view text, const AnalyzeOptions& options = {},
                                              const CallOptions& call = {}) const;
  // Sends a prepared request.
  absl::StatusOr<v1::AnalyzeResponse> Analyze(const v1::AnalyzeRequest& request, const CallOptions& call = {}) const;
  // Asynchronous Analyze: returns at once; `done` runs once, on a gRPC thread, with the answer or the failure.
  void AnalyzeAsync(const v1::AnalyzeRequest& request,
                    std::function<void(absl::StatusOr<v1::AnalyzeResponse>)> done, const CallOptions& call = {}) const;
  // Analyzes many documents in one call; fails only if the batch is malformed. Each response (in
  // request order) carries its own error: see DocumentStatus.
  absl::StatusOr<std::vector<v1::AnalyzeResponse>> AnalyzeBatch(const std::vector<v1::AnalyzeRequest>& requests,
                                                                const CallOptions& call = {}) const;
  // Streams lazily: a writer thread pulls the next request from next_request (std::nullopt ends the input) only
  // as gRPC flow control lets it go (back-pressure: nothing is buffered without bound, so the input may be
  // unbounded), and on_response runs on the calling thread for each response, in request order. on_response
  // returning false stops early: the call is cancelled and next_request is not called again. Once this returns,
  // neither callback runs any more. An exception from either callback cancels the call and is rethrown here.
  // Returns the stream's status (OK after an early stop). No deadline unless call.timeout is set.
  absl::Status AnalyzeStream(const std::function<std::optional<v1::AnalyzeRequest>()>& next_request,
                             const std::function<bool(const v1::AnalyzeResponse&)>& on_response,
                             const CallOptions& call = {}) const;
  // The same over a vector of requests, every response handed to on_response.
  absl::Status AnalyzeStream(const std::vector<v1::AnalyzeRequest>& requests,
                             const std::function<void(const v1::AnalyzeResponse&)>& on_response,
                             const CallOptions& call = {}) const;
  // The plugins the server has, with their state and last error.
  absl::StatusOr<v1::ListPluginsResponse> ListPlugins(const CallOptions& call = {}) const;

  // PluginAdmin calls, with the server's admin token (sent as "authorization: Bearer <token>"). They are not
  // retried: only the analysis calls, which are idempotent, are.
  absl::StatusOr<v1::ReloadPluginsResponse> ReloadPlugins(const std::string& token, const CallOptions& call = {}) const;
  absl::StatusOr<v1::LoadPluginResponse> LoadPlugin(const std::string& name, const std::string& token,
                                                    const CallOptions& call = {}) const;
  absl::Status UnloadPlugin(const std::string& name, const std::string& token, const CallOptions& call = {}) const;

  // The channel and stub, for calls this wrapper does not cover.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  v1::DocumentAnalysis::Stub& stub() const { return *stub_; }

 private:
  Client(const ClientOptions& options, std::shared_ptr<grpc::Channel> channel);
  // Applies deadline and metadata; false when the call's cancellation was already cancelled.
  bool Prepare(grpc::ClientContext& context, const CallOptions& call, bool unary) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DocumentAnalysis::Stub> stub_;
  std::unique_ptr<v1::PluginAdmin::Stub> admin_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_CLIENTS_CPP_DOCANALYSIS_CLIENT_CLIENT_H_
