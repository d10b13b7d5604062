#include "service/edge/analysis_grpc.h"

#include <google/protobuf/arena.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "service/common/strings.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/log.h"

namespace docanalysis {
namespace {

absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  auto d = ctx->deadline();
  if (d == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(d);
}

RequestContext ContextOf(grpc::CallbackServerContext* ctx) {
  RequestContext rc;
  rc.deadline = DeadlineOf(ctx);
  rc.is_cancelled = [ctx] { return ctx->IsCancelled(); };
  return rc;
}

void ToProtoStatus(const absl::Status& s, v1::Status* out) {
  out->set_code(static_cast<int32_t>(s.code()));
  out->set_message(std::string(s.message()));
}

template <typename Message>
grpc::Status Parse(const grpc::ByteBuffer* bytes, Message* message) {
  grpc::ProtoBufferReader reader(const_cast<grpc::ByteBuffer*>(bytes));
  if (!message->ParseFromZeroCopyStream(&reader)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("the request is not a valid ", message->GetTypeName(),
                                     ": string fields must be valid UTF-8 (send bytes of unknown encoding in "
                                     "document.raw_content)"));
  }
  return grpc::Status::OK;
}

template <typename Message>
grpc::Status Serialize(const Message& message, grpc::ByteBuffer* bytes) {
  bool own = false;
  return grpc::SerializationTraits<Message>::Serialize(message, bytes, &own);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

DocumentAnalysisGrpc::DocumentAnalysisGrpc(const AnalysisService* service, Executor* executor, Metrics* metrics,
                                           size_t max_batch_documents)
    : service_(service), executor_(executor), dispatcher_(service, executor, metrics, max_batch_documents) {}


// One unary Analyze call's request and response, on one protobuf arena whose first block is part of
// the call: a small document's parse, analysis and answer allocate once instead of once per message
// and string. Freed when the answer has been serialised.
//
// Not under GCC's ThreadSanitizer: -fsanitize=thread defines __SANITIZE_THREAD__, which gives protobuf's
// MapFieldBase two extra members (google/protobuf/map_field.h) in code compiled here but not in Debian's
// libprotobuf, so the two disagree on its layout, and the library's clean-up of a map field on an arena
// (Annotation.attributes) crashes (reproduced with a five-line program: an arena, a response, one
// attribute). Those builds keep the messages on the heap.
#if defined(__SANITIZE_THREAD__)
constexpr bool kCallArena = false;
#else
constexpr bool kCallArena = true;
#endif

struct UnaryAnalyzeCall {
  static constexpr size_t kFirstBlock = 8 << 10;
  UnaryAnalyzeCall() : arena(ArenaOptions(first_block, kCallArena ? sizeof(first_block) : 0)) {
    google::protobuf::Arena* on = kCallArena ? &arena : nullptr;
    request = google::protobuf::Arena::CreateMessage<v1::AnalyzeRequest>(on);
    response = google::protobuf::Arena::CreateMessage<v1::AnalyzeResponse>(on);
  }
  ~UnaryAnalyzeCall() {
    if (!kCallArena) delete request, delete response;
  }
  UnaryAnalyzeCall(const UnaryAnalyzeCall&) = delete;
  UnaryAnalyzeCall& operator=(const UnaryAnalyzeCall&) = delete;
  static google::protobuf::ArenaOptions ArenaOptions(char* block, size_t size) {
    google::protobuf::ArenaOptions o;
    if (size > 0) {
      o.initial_block = block;
      o.initial_block_size = size;
    }
    return o;
  }
  alignas(16) char first_block[kFirstBlock];
  google::protobuf::Arena arena;
  v1::AnalyzeRequest* request;
  v1::AnalyzeResponse* response;
};

grpc::ServerUnaryReactor* DocumentAnalysisGrpc::Analyze(grpc::CallbackServerContext* ctx,
                                                        const grpc::ByteBuffer* request_bytes,
                                                        grpc::ByteBuffer* response_bytes) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const absl::Time start = absl::Now();
  auto call = std::make_shared<UnaryAnalyzeCall>();
  if (grpc::Status parsed = Parse(request_bytes, call->request); !parsed.ok()) {
    dispatcher_.Observe("Analyze", absl::Status(static_cast<absl::StatusCode>(parsed.error_code()), ""), start);
    reactor->Finish(parsed);
    return reactor;
  }
  const size_t bytes = request_bytes->Length();
  std::shared_ptr<const v1::AnalyzeRequest> request(call, call->request);  // shares the call's lifetime
  v1::AnalyzeResponse* response = call->response;
  absl::Status queued = dispatcher_.AnalyzeInto(
      "Analyze", std::move(request), response, ContextOf(ctx), start, bytes,
      [call = std::move(call), response_bytes, reactor](absl::Status status) {
        reactor->Finish(status.ok() ? Serialize(*call->response, response_bytes) : ToGrpcStatus(status));
      });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

grpc::ServerUnaryReactor* DocumentAnalysisGrpc::AnalyzeBatch(grpc::CallbackServerContext* ctx,
                                                             const grpc::ByteBuffer* request_bytes,
                                                             grpc::ByteBuffer* response_bytes) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const absl::Time start = absl::Now();
  auto request = std::make_shared<v1::AnalyzeBatchRequest>();
  if (grpc::Status parsed = Parse(request_bytes, request.get()); !parsed.ok()) {
    dispatcher_.Observe("AnalyzeBatch", absl::Status(static_cast<absl::StatusCode>(parsed.error_code()), ""), start);
    reactor->Finish(parsed);
    return reactor;
  }
  const size_t bytes = request_bytes->Length();
  absl::Status queued = dispatcher_.AnalyzeBatch(
      "AnalyzeBatch", std::move(request), ContextOf(ctx), start, bytes,
      [response_bytes, reactor](absl::StatusOr<v1::AnalyzeBatchResponse> result) {
        reactor->Finish(result.ok() ? Serialize(*result, response_bytes) : ToGrpcStatus(result.status()));
      });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

// One stream: read a request, analyze it on the executor, write its response, read the next.
// Responses therefore come back in request order.
//
// The steps of one stream never overlap, but they run on different threads (gRPC's for the reads
// and write completions, the executor's for the analysis), ordered by gRPC's own synchronisation,
// which ThreadSanitizer cannot see (Debian's gRPC is not built with it). `mu_` makes that order
// visible: every step touches the reactor's buffers under it. It is never contended, and never
// held across a call into gRPC (StartRead, StartWrite, Finish), which may call back into us.
class DocumentAnalysisGrpc::StreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(DocumentAnalysisGrpc* owner, grpc::CallbackServerContext* ctx) : owner_(owner), ctx_(ctx) {
    StartRead(&request_bytes_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending (or the call broke)
      Finish(grpc::Status::OK);
      return;
    }
    grpc::Status parsed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      request_.Clear();
      parsed = Parse(&request_bytes_, &request_);
    }
    if (!parsed.ok()) {
      v1::AnalyzeResponse error;
      error.mutable_error()->set_code(parsed.error_code());
      error.mutable_error()->set_message(parsed.error_message());
      Write(error);
      return;
    }
    const size_t bytes = request_bytes_.Length();
    bool queued = owner_->executor_->TrySubmit([this] {
      absl::StatusOr<v1::AnalyzeResponse> result;
      std::string id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        result = owner_->service_->Analyze(request_, ContextOf(ctx_));
        id = request_.document().id();
      }
      if (!result.ok() && (result.status().code() == absl::StatusCode::kCancelled ||
                           result.status().code() == absl::StatusCode::kDeadlineExceeded)) {
        Finish(ToGrpcStatus(result.status()));
        return;
      }
      if (result.ok()) {
        Write(*result);
        return;
      }
      v1::AnalyzeResponse error;
      error.set_document_id(id);
      ToProtoStatus(result.status(), error.mutable_error());
      Write(error);
    }, bytes);
    if (!queued) {
      v1::AnalyzeResponse busy;
      {
        std::lock_guard<std::mutex> lock(mu_);
        busy.set_document_id(request_.document().id());
      }
      busy.mutable_error()->set_code(grpc::StatusCode::RESOURCE_EXHAUSTED);
      busy.mutable_error()->set_message(std::string(Dispatcher::Busy().message()));
      Write(busy);
    }
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream write failed"));
      return;
    }
    StartRead(&request_bytes_);
  }

  void OnDone() override { delete this; }

 private:
  void Write(const v1::AnalyzeResponse& response) {
    grpc::Status s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      response_bytes_.Clear();
      s = Serialize(response, &response_bytes_);
    }
    if (!s.ok()) {
      Finish(s);
      return;
    }
    StartWrite(&response_bytes_);
  }

  DocumentAnalysisGrpc* owner_;
  grpc::CallbackServerContext* ctx_;
  grpc::ByteBuffer request_bytes_;
  grpc::ByteBuffer response_bytes_;
  v1::AnalyzeRequest request_;
  std::mutex mu_;  // orders the steps for ThreadSanitizer (see the class comment)
};

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* DocumentAnalysisGrpc::AnalyzeStream(
    grpc::CallbackServerContext* ctx) {
  return new StreamReactor(this, ctx);
}

grpc::ServerUnaryReactor* DocumentAnalysisGrpc::ListPlugins(grpc::CallbackServerContext* ctx,
                                                            const v1::ListPluginsRequest* /*request*/,
                                                            v1::ListPluginsResponse* response) {
  *response = dispatcher_.ListPlugins(/*admin=*/!admin_token_.empty() && AuthorizeBearer(ctx, admin_token_).ok());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

PluginAdminGrpc::PluginAdminGrpc(PluginRegistry* registry, std::string token)
    : registry_(registry), token_(std::move(token)) {}

grpc::Status PluginAdminGrpc::Authorize(grpc::CallbackServerContext* ctx) const { return AuthorizeBearer(ctx, token_); }

grpc::Status AuthorizeBearer(const grpc::CallbackServerContext* ctx, const std::string& token_) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "admin calls need the metadata 'authorization: Bearer <token>'");
  }
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(value, kBearer)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "authorization must be 'Bearer <token>'");
  }
  absl::string_view given = value.substr(kBearer.size());
  // Constant-time comparison.
  unsigned char diff = given.size() != token_.size();
  for (size_t i = 0; i < token_.size(); ++i) diff |= static_cast<unsigned char>(token_[i] ^ (i < given.size() ? given[i] : 0));
  if (diff != 0) return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "wrong admin token");
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* PluginAdminGrpc::ReloadPlugins(grpc::CallbackServerContext* ctx,
                                                         const v1::ReloadPluginsRequest*,
                                                         v1::ReloadPluginsResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  grpc::Status auth = Authorize(ctx);
  if (auth.ok()) {
    Log(LogLevel::kInfo, "admin: reload all plugins");
    registry_->Reload();
    for (const auto& s : registry_->Statuses()) FillPluginInfo(s, response->add_plugins());
  }
  reactor->Finish(auth);
  return reactor;
}

grpc::ServerUnaryReactor* PluginAdminGrpc::LoadPlugin(grpc::CallbackServerContext* ctx,
                                                      const v1::LoadPluginRequest* request,
                                                      v1::LoadPluginResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  grpc::Status auth = Authorize(ctx);
  if (!auth.ok()) {
    reactor->Finish(auth);
    return reactor;
  }
  Log(LogLevel::kInfo, "admin: load plugin", {{"folder", request->name()}});
  absl::StatusOr<PluginStatus> s = registry_->LoadOne(request->name());
  if (s.ok()) FillPluginInfo(*s, response->mutable_plugin());
  reactor->Finish(ToGrpcStatus(s.status()));
  return reactor;
}

grpc::ServerUnaryReactor* PluginAdminGrpc::UnloadPlugin(grpc::CallbackServerContext* ctx,
                                                        const v1::UnloadPluginRequest* request,
                                                        v1::UnloadPluginResponse*) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  grpc::Status auth = Authorize(ctx);
  if (auth.ok()) {
    Log(LogLevel::kInfo, "admin: unload plugin", {{"name", request->name()}});
    auth = ToGrpcStatus(registry_->UnloadOne(request->name()));
  }
  reactor->Finish(auth);
  return reactor;
}

}  // namespace docanalysis
