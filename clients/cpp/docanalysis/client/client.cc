#include "docanalysis/client/client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <thread>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace docanalysis {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;

absl::Status ToStatus(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// Resolves "host:port" (host a name or an IP literal, IPv6 in brackets) to "IP:port" entries.
absl::Status ResolveHostPort(const std::string& hostport, bool* v6, std::vector<std::string>* out) {
  const size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon + 1 == hostport.size()) {
    return absl::InvalidArgumentError(absl::StrCat("address ", hostport, " has no port"));
  }
  std::string host = hostport.substr(0, colon);
  const std::string port = hostport.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  // One family per list (gRPC's ipv4:/ipv6: schemes): IPv4 when the name has an IPv4 address.
  for (int family : {AF_INET, AF_INET6}) {
    std::vector<std::string> found;
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      if (a->ai_family != family) continue;
      char buf[INET6_ADDRSTRLEN] = {};
      const void* addr = family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                           : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
      inet_ntop(family, addr, buf, sizeof(buf));
      found.push_back(family == AF_INET ? absl::StrCat(buf, ":", port) : absl::StrCat("[", buf, "]:", port));
    }
    if (!found.empty()) {
      freeaddrinfo(res);
      if (!out->empty() && *v6 != (family == AF_INET6)) {
        return absl::InvalidArgumentError("a target list mixes IPv4 and IPv6 addresses");
      }
      *v6 = family == AF_INET6;
      for (auto& f : found) {
        if (std::find(out->begin(), out->end(), f) == out->end()) out->push_back(std::move(f));
      }
      return absl::OkStatus();
    }
  }
  freeaddrinfo(res);
  return absl::InvalidArgumentError(absl::StrCat("no address for ", host));
}

// "a:1,b:2" (no scheme, several addresses; IP literals or host names) -> "ipv4:IP:1,IP:2". Host names were
// rejected before: gRPC's ipv4: scheme takes IP literals only, so they are resolved here, once.
absl::StatusOr<std::string> NormalizeTarget(const std::string& target) {
  if (target.find(',') == std::string::npos || target.find(":/") != std::string::npos ||
      target.rfind("ipv4:", 0) == 0 || target.rfind("ipv6:", 0) == 0) {
    return target;
  }
  std::vector<std::string> addresses;
  bool v6 = false;
  for (absl::string_view part : absl::StrSplit(target, ',', absl::SkipWhitespace())) {
    absl::Status s = ResolveHostPort(std::string(absl::StripAsciiWhitespace(part)), &v6, &addresses);
    if (!s.ok()) return s;
  }
  return absl::StrCat(v6 ? "ipv6:" : "ipv4:", absl::StrJoin(addresses, ","));
}

}  // namespace

// Gives the helpers of this file access to Cancellation::Detach.
struct CancellationAccess {
  static void Detach(Cancellation& c, grpc::ClientContext* context) { c.Detach(context); }
};

void Cancellation::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  for (grpc::ClientContext* c : contexts_) c->TryCancel();
}

bool Cancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool Cancellation::Attach(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  contexts_.insert(context);
  return true;
}

void Cancellation::Detach(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  contexts_.erase(context);
}

ErrorKind ErrorKindOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return ErrorKind::kOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return ErrorKind::kInvalidRequest;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return ErrorKind::kAuth;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return ErrorKind::kUnavailable;
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorKind::kDeadlineExceeded;
    case absl::StatusCode::kCancelled:
      return ErrorKind::kCancelled;
    default:
      return ErrorKind::kServer;
  }
}

bool IsRetryable(const absl::Status& status) { return ErrorKindOf(status.code()) == ErrorKind::kUnavailable; }

std::vector<v1::PluginRun> FailedPluginRuns(const v1::AnalyzeResponse& response) {
  std::vector<v1::PluginRun> failed;
  for (const auto& run : response.plugin_runs()) {
    if (run.code() != 0) failed.push_back(run);
  }
  return failed;
}

absl::Status PluginStatus(const v1::AnalyzeResponse& response) {
  for (const auto& run : response.plugin_runs()) {
    if (run.code() != 0) {
      return absl::Status(static_cast<absl::StatusCode>(run.code()),
                          absl::StrCat("plugin ", run.plugin(), ": ", run.message()));
    }
  }
  return absl::OkStatus();
}

std::vector<v1::AnalyzeResponse> FailedDocuments(const std::vector<v1::AnalyzeResponse>& responses) {
  std::vector<v1::AnalyzeResponse> failed;
  for (const auto& r : responses) {
    if (!DocumentStatus(r).ok()) failed.push_back(r);
  }
  return failed;
}

absl::Status DocumentsStatus(const std::vector<v1::AnalyzeResponse>& responses) {
  for (const auto& r : responses) {
    absl::Status s = DocumentStatus(r);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("document \"", r.document_id(), "\": ", s.message()));
  }
  return absl::OkStatus();
}

std::string ServiceConfigJson(int max_attempts) {
  std::string retry;
  if (max_attempts > 1) {
    retry = absl::StrFormat(
        R"(,"retryPolicy":{"maxAttempts":%d,"initialBackoff":"0.1s","maxBackoff":"2s",)"
        R"("backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]})",
        max_attempts);
  }
  return absl::StrCat(R"({"loadBalancingConfig":[{"round_robin":{}}],)",
                      R"("methodConfig":[{"name":[{"service":"docanalysis.v1.DocumentAnalysis"}])", retry, "}]}");
}

v1::AnalyzeRequest MakeRequest(std::string_view text, const AnalyzeOptions& options,
                               v1::EncodingType default_encoding) {
  v1::AnalyzeRequest request;
  if (IsValidUtf8(text)) {
    request.mutable_document()->set_content(std::string(text));
  } else {
    request.mutable_document()->set_raw_content(std::string(text));
  }
  request.mutable_document()->set_id(options.document_id);
  request.set_encoding_type(options.encoding.value_or(default_encoding));
  for (const auto& f : options.features) request.add_features(f);
  for (const auto& [k, v] : options.options) (*request.mutable_options())[k] = v;
  return request;
}

absl::Status DocumentStatus(const v1::AnalyzeResponse& response) {
  if (!response.has_error() || response.error().code() == 0) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(response.error().code()), response.error().message());
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(const ClientOptions& options) {
  if (options.target.empty()) return absl::InvalidArgumentError("empty target");
  if (options.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be >= 1");
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  if (options.client_cert_pem.empty() != options.client_key_pem.empty()) {
    return absl::InvalidArgumentError("client_cert_pem and client_key_pem go together");
  }
  if (options.use_tls || !options.client_cert_pem.empty() || !options.root_certs_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.root_certs_pem;
    ssl.pem_cert_chain = options.client_cert_pem;
    ssl.pem_private_key = options.client_key_pem;
    creds = grpc::SslCredentials(ssl);
    if (!options.server_name_override.empty()) args.SetSslTargetNameOverride(options.server_name_override);
  }
  args.SetServiceConfigJSON(ServiceConfigJson(options.max_attempts));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  absl::StatusOr<std::string> target = NormalizeTarget(options.target);
  if (!target.ok()) return target.status();
  auto channel = grpc::CreateCustomChannel(*target, creds, args);
  if (channel == nullptr) return absl::InvalidArgumentError(absl::StrCat("cannot create a channel to ", options.target));
  return std::unique_ptr<Client>(new Client(options, std::move(channel)));
}

Client::Client(const ClientOptions& options, std::shared_ptr<grpc::Channel> channel)
    : options_(options),
      channel_(std::move(channel)),
      stub_(v1::DocumentAnalysis::NewStub(channel_)),
      admin_(v1::PluginAdmin::NewStub(channel_)) {}

bool Client::Prepare(grpc::ClientContext& context, const CallOptions& call, bool unary) const {
  const std::chrono::milliseconds timeout =
      call.timeout.has_value() ? *call.timeout : (unary ? options_.timeout : std::chrono::milliseconds(0));
  if (timeout.count() > 0) context.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [k, v] : call.metadata) context.AddMetadata(k, v);
  return call.cancellation == nullptr || call.cancellation->Attach(&context);
}

namespace {

// Detaches a call's context from its cancellation when the call ends.
class Attachment {
 public:
  Attachment(const std::shared_ptr<Cancellation>& c, grpc::ClientContext* context) : c_(c), context_(context) {}
  ~Attachment() { Detach(); }
  void Detach() {
    if (c_ != nullptr) CancellationAccess::Detach(*c_, context_);
    c_ = nullptr;
  }

 private:
  std::shared_ptr<Cancellation> c_;
  grpc::ClientContext* context_;
};

absl::Status CancelledBeforeStart() { return absl::CancelledError("cancelled before the call started"); }

}  // namespace

absl::StatusOr<v1::AnalyzeResponse> Client::Analyze(std::string_view text, const AnalyzeOptions& options,
                                                    const CallOptions& call) const {
  return Analyze(MakeRequest(text, options, options_.encoding), call);
}

absl::StatusOr<v1::AnalyzeResponse> Client::Analyze(const v1::AnalyzeRequest& request, const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  v1::AnalyzeResponse response;
  grpc::Status s = stub_->Analyze(&context, request, &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

void Client::AnalyzeAsync(const v1::AnalyzeRequest& request,
                          std::function<void(absl::StatusOr<v1::AnalyzeResponse>)> done,
                          const CallOptions& call) const {
  struct State {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    v1::AnalyzeResponse response;
    std::shared_ptr<Cancellation> cancellation;
    std::function<void(absl::StatusOr<v1::AnalyzeResponse>)> done;
  };
  auto* state = new State;
  state->request = request;
  state->done = std::move(done);
  state->cancellation = call.cancellation;
  if (!Prepare(state->context, call, true)) {
    auto d = std::move(state->done);
    delete state;
    d(CancelledBeforeStart());
    return;
  }
  stub_->async()->Analyze(&state->context, &state->request, &state->response, [state](grpc::Status s) {
    if (state->cancellation != nullptr) CancellationAccess::Detach(*state->cancellation, &state->context);
    auto d = std::move(state->done);
    absl::StatusOr<v1::AnalyzeResponse> result =
        s.ok() ? absl::StatusOr<v1::AnalyzeResponse>(std::move(state->response)) : ToStatus(s);
    delete state;
    d(std::move(result));
  });
}

absl::StatusOr<std::vector<v1::AnalyzeResponse>> Client::AnalyzeBatch(
    const std::vector<v1::AnalyzeRequest>& requests, const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  v1::AnalyzeBatchRequest batch;
  for (const auto& r : requests) *batch.add_requests() = r;
  v1::AnalyzeBatchResponse response;
  grpc::Status s = stub_->AnalyzeBatch(&context, batch, &response);
  if (!s.ok()) return ToStatus(s);
  return std::vector<v1::AnalyzeResponse>(response.responses().begin(), response.responses().end());
}

absl::Status Client::AnalyzeStream(const std::function<std::optional<v1::AnalyzeRequest>()>& next_request,
                                   const std::function<bool(const v1::AnalyzeResponse&)>& on_response,
                                   const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, false)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  auto stream = stub_->AnalyzeStream(&context);
  std::atomic<bool> stop{false};
  std::exception_ptr writer_error;
  // The writer pulls a request only when the previous one was written: Write blocks while flow control holds it
  // back, so the input is read as fast as the server takes it and no faster.
  std::thread writer([&] {
    try {
      while (!stop.load()) {
        std::optional<v1::AnalyzeRequest> r = next_request();
        if (!r.has_value() || stop.load()) break;
        if (!stream->Write(*r)) return;  // the stream broke; Finish() reports why
      }
    } catch (...) {
      writer_error = std::current_exception();
      stop = true;
      context.TryCancel();
      return;
    }
    stream->WritesDone();
  });
  // The writer is joined on every way out, exceptions included (a joinable std::thread destroyed by a throwing
  // callback used to terminate the process).
  struct Joiner {
    std::thread& t;
    std::atomic<bool>& stop;
    grpc::ClientContext& context;
    ~Joiner() {
      if (t.joinable()) {
        stop = true;
        context.TryCancel();
        t.join();
      }
    }
  } joiner{writer, stop, context};
  bool stopped_early = false;
  v1::AnalyzeResponse response;
  try {
    while (stream->Read(&response)) {
      if (!on_response(response)) {
        stopped_early = true;
        stop = true;
        context.TryCancel();
        break;
      }
    }
  } catch (...) {
    stop = true;
    context.TryCancel();
    writer.join();
    stream->Finish();
    throw;
  }
  if (stopped_early) {
    while (stream->Read(&response)) {
    }
  }
  writer.join();
  grpc::Status s = stream->Finish();
  if (writer_error) std::rethrow_exception(writer_error);
  if (stopped_early) return absl::OkStatus();
  return ToStatus(s);
}

absl::Status Client::AnalyzeStream(const std::vector<v1::AnalyzeRequest>& requests,
                                   const std::function<void(const v1::AnalyzeResponse&)>& on_response,
                                   const CallOptions& call) const {
  size_t next = 0;
  return AnalyzeStream(
      [&]() -> std::optional<v1::AnalyzeRequest> {
        if (next == requests.size()) return std::nullopt;
        return requests[next++];
      },
      [&](const v1::AnalyzeResponse& r) {
        on_response(r);
        return true;
      },
      call);
}

absl::StatusOr<v1::ListPluginsResponse> Client::ListPlugins(const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  v1::ListPluginsResponse response;
  grpc::Status s = stub_->ListPlugins(&context, v1::ListPluginsRequest(), &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

absl::StatusOr<v1::ReloadPluginsResponse> Client::ReloadPlugins(const std::string& token,
                                                                const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  context.AddMetadata("authorization", "Bearer " + token);
  v1::ReloadPluginsResponse response;
  grpc::Status s = admin_->ReloadPlugins(&context, v1::ReloadPluginsRequest(), &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

absl::StatusOr<v1::LoadPluginResponse> Client::LoadPlugin(const std::string& name, const std::string& token,
                                                          const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  context.AddMetadata("authorization", "Bearer " + token);
  v1::LoadPluginRequest request;
  request.set_name(name);
  v1::LoadPluginResponse response;
  grpc::Status s = admin_->LoadPlugin(&context, request, &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

absl::Status Client::UnloadPlugin(const std::string& name, const std::string& token, const CallOptions& call) const {
  grpc::ClientContext context;
  if (!Prepare(context, call, true)) return CancelledBeforeStart();
  Attachment attached(call.cancellation, &context);
  context.AddMetadata("authorization", "Bearer " + token);
  v1::UnloadPluginRequest request;
  request.set_name(name);
  v1::UnloadPluginResponse response;
  return ToStatus(admin_->UnloadPlugin(&context, request, &response));
}

}  // namespace docanalysis
