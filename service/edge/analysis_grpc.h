// The gRPC edge: the callback-API services that check a call, post its work to the executor
// (never blocking a gRPC thread), and convert absl::Status into grpc::Status. Only files under
// service/edge include <grpcpp/...>.
//
// OWNERSHIP: the services borrow the AnalysisService, PluginRegistry and Executor, which must
// outlive the grpc::Server they are registered with.
// THREADING: gRPC calls them from its own threads; all of them are thread-safe.
#ifndef DOCANALYSIS_SERVICE_EDGE_ANALYSIS_GRPC_H_
#define DOCANALYSIS_SERVICE_EDGE_ANALYSIS_GRPC_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "docanalysis/v1/docanalysis.grpc.pb.h"
#include "service/core/analysis_service.h"
#include "service/core/executor.h"
#include "service/edge/dispatcher.h"
#include "service/edge/metrics.h"
#include "service/plugin_host/plugin_registry.h"

namespace docanalysis {

grpc::Status ToGrpcStatus(const absl::Status& status);

// OK when the call carries `authorization: Bearer <token>` (compared in constant time);
// UNAUTHENTICATED without it, PERMISSION_DENIED with another token.
grpc::Status AuthorizeBearer(const grpc::CallbackServerContext* ctx, const std::string& token);

// Analyze, AnalyzeBatch and AnalyzeStream take their requests as raw bytes and parse them here, so
// that a message that does not parse (a string field with invalid UTF-8, say) gets INVALID_ARGUMENT
// with a message (in a stream: an error response, and the stream goes on) instead of the generic
// error, or the silently ended stream, that the gRPC library would give.
using DocumentAnalysisBase = v1::DocumentAnalysis::WithRawCallbackMethod_Analyze<
    v1::DocumentAnalysis::WithRawCallbackMethod_AnalyzeBatch<
        v1::DocumentAnalysis::WithRawCallbackMethod_AnalyzeStream<
            v1::DocumentAnalysis::WithCallbackMethod_ListPlugins<v1::DocumentAnalysis::Service>>>>;

class DocumentAnalysisGrpc final : public DocumentAnalysisBase {
 public:
  DocumentAnalysisGrpc(const AnalysisService* service, Executor* executor, Metrics* metrics,
                       size_t max_batch_documents);

  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AnalyzeBatch(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AnalyzeStream(grpc::CallbackServerContext* ctx) override;
  // Server paths and loader errors are shown only to a caller with the admin token; everyone else
  // sees names, versions, features and states.
  grpc::ServerUnaryReactor* ListPlugins(grpc::CallbackServerContext* ctx, const v1::ListPluginsRequest* request,
                                        v1::ListPluginsResponse* response) override;

  // The admin token (empty: nobody sees server paths or loader errors). Call before serving.
  void set_admin_token(std::string token) { admin_token_ = std::move(token); }

 private:
  class StreamReactor;

  const AnalysisService* service_;
  Executor* executor_;     // AnalyzeStream's per-message work
  Dispatcher dispatcher_;  // Analyze, AnalyzeBatch, ListPlugins: admission, limits, metrics shared with HTTP
  std::string admin_token_;
};

// Plugin administration; every call needs `authorization: Bearer <token>`.
class PluginAdminGrpc final : public v1::PluginAdmin::CallbackService {
 public:
  PluginAdminGrpc(PluginRegistry* registry, std::string token);

  grpc::ServerUnaryReactor* ReloadPlugins(grpc::CallbackServerContext* ctx, const v1::ReloadPluginsRequest* request,
                                          v1::ReloadPluginsResponse* response) override;
  grpc::ServerUnaryReactor* LoadPlugin(grpc::CallbackServerContext* ctx, const v1::LoadPluginRequest* request,
                                       v1::LoadPluginResponse* response) override;
  grpc::ServerUnaryReactor* UnloadPlugin(grpc::CallbackServerContext* ctx, const v1::UnloadPluginRequest* request,
                                         v1::UnloadPluginResponse* response) override;

 private:
  grpc::Status Authorize(grpc::CallbackServerContext* ctx) const;

  PluginRegistry* registry_;
  std::string token_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_EDGE_ANALYSIS_GRPC_H_
