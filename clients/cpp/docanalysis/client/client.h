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
// IP:port is taken as such an ipv4: list.
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
#include <optional>
#include <string>
#include <string_view>
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
  // Deadline of each call; zero or less means none. Streams get it too, for the whole stream.
  std::chrono::milliseconds timeout{30000};
  // Tries in all of a call that fails with UNAVAILABLE (gRPC caps it at 5); 1 turns retries off.
  int max_attempts = 4;
  // TLS: off by default. With use_tls, root_certs_pem (PEM text; empty: the system roots) is trusted
  // and server_name_override, when set, is the name checked against the certificate.
  bool use_tls = false;
  std::string root_certs_pem;
  std::string server_name_override;
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
  absl::StatusOr<v1::AnalyzeResponse> Analyze(std::string_view text, const AnalyzeOptions& options = {}) const;
  // Sends a prepared request.
  absl::StatusOr<v1::AnalyzeResponse> Analyze(const v1::AnalyzeRequest& request) const;
  // Analyzes many documents in one call; fails only if the batch is malformed. Each response (in
  // request order) carries its own error: see DocumentStatus.
  absl::StatusOr<std::vector<v1::AnalyzeResponse>> AnalyzeBatch(const std::vector<v1::AnalyzeRequest>& requests) const;
  // Sends the requests over one bidirectional stream (from a writer thread) and calls on_response for
  // each response, in request order, on the calling thread as they arrive. Returns the stream's status.
  absl::Status AnalyzeStream(const std::vector<v1::AnalyzeRequest>& requests,
                             const std::function<void(const v1::AnalyzeResponse&)>& on_response) const;
  // The plugins the server has, with their state and last error.
  absl::StatusOr<v1::ListPluginsResponse> ListPlugins() const;

  // The channel and stub, for calls this wrapper does not cover.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  v1::DocumentAnalysis::Stub& stub() const { return *stub_; }

 private:
  Client(const ClientOptions& options, std::shared_ptr<grpc::Channel> channel);
  void SetDeadline(grpc::ClientContext& context) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DocumentAnalysis::Stub> stub_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_CLIENTS_CPP_DOCANALYSIS_CLIENT_CLIENT_H_
