#include "docanalysis/client/client.h"

#include <string>
#include <thread>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

// "10.0.0.1:1,10.0.0.2:2" (no scheme, several addresses) -> "ipv4:10.0.0.1:1,10.0.0.2:2".
std::string NormalizeTarget(const std::string& target) {
  if (target.find(',') == std::string::npos || target.find(":/") != std::string::npos ||
      target.rfind("ipv4:", 0) == 0 || target.rfind("ipv6:", 0) == 0) {
    return target;
  }
  return target[0] == '[' ? "ipv6:" + target : "ipv4:" + target;
}

}  // namespace

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
  if (options.use_tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.root_certs_pem;
    creds = grpc::SslCredentials(ssl);
    if (!options.server_name_override.empty()) args.SetSslTargetNameOverride(options.server_name_override);
  }
  args.SetServiceConfigJSON(ServiceConfigJson(options.max_attempts));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  auto channel = grpc::CreateCustomChannel(NormalizeTarget(options.target), creds, args);
  if (channel == nullptr) return absl::InvalidArgumentError(absl::StrCat("cannot create a channel to ", options.target));
  return std::unique_ptr<Client>(new Client(options, std::move(channel)));
}

Client::Client(const ClientOptions& options, std::shared_ptr<grpc::Channel> channel)
    : options_(options), channel_(std::move(channel)), stub_(v1::DocumentAnalysis::NewStub(channel_)) {}

void Client::SetDeadline(grpc::ClientContext& context) const {
  if (options_.timeout.count() > 0) context.set_deadline(std::chrono::system_clock::now() + options_.timeout);
}

absl::StatusOr<v1::AnalyzeResponse> Client::Analyze(std::string_view text, const AnalyzeOptions& options) const {
  return Analyze(MakeRequest(text, options, options_.encoding));
}

absl::StatusOr<v1::AnalyzeResponse> Client::Analyze(const v1::AnalyzeRequest& request) const {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::AnalyzeResponse response;
  grpc::Status s = stub_->Analyze(&context, request, &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

absl::StatusOr<std::vector<v1::AnalyzeResponse>> Client::AnalyzeBatch(
    const std::vector<v1::AnalyzeRequest>& requests) const {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::AnalyzeBatchRequest batch;
  for (const auto& r : requests) *batch.add_requests() = r;
  v1::AnalyzeBatchResponse response;
  grpc::Status s = stub_->AnalyzeBatch(&context, batch, &response);
  if (!s.ok()) return ToStatus(s);
  return std::vector<v1::AnalyzeResponse>(response.responses().begin(), response.responses().end());
}

absl::Status Client::AnalyzeStream(const std::vector<v1::AnalyzeRequest>& requests,
                                   const std::function<void(const v1::AnalyzeResponse&)>& on_response) const {
  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub_->AnalyzeStream(&context);
  std::thread writer([&] {
    for (const auto& r : requests) {
      if (!stream->Write(r)) break;  // the stream broke; Finish() reports why
    }
    stream->WritesDone();
  });
  v1::AnalyzeResponse response;
  while (stream->Read(&response)) on_response(response);
  writer.join();
  return ToStatus(stream->Finish());
}

absl::StatusOr<v1::ListPluginsResponse> Client::ListPlugins() const {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListPluginsResponse response;
  grpc::Status s = stub_->ListPlugins(&context, v1::ListPluginsRequest(), &response);
  if (!s.ok()) return ToStatus(s);
  return response;
}

}  // namespace docanalysis
