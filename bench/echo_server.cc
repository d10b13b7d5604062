// docanalysis-echo-server: a minimal gRPC callback-API server, the floor that the real server's small
// calls are compared against (bench/compare.sh). One unary method, docanalysis.bench.Echo/Echo, that
// answers with the request's own bytes (no parsing, no copy: the ByteBuffer's slices are shared). It
// also serves the standard grpc.health.v1 health check, so one binary gives both baselines.
//
//   docanalysis-echo-server --listen 127.0.0.1:0      # prints "listening on 127.0.0.1:PORT"
//
// Runs until SIGTERM or SIGINT.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "docanalysis/bench/echo.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "HOST:PORT to listen on (port 0 picks a free one)");

namespace {

class EchoService final : public docanalysis::bench::Echo::WithRawCallbackMethod_Echo<docanalysis::bench::Echo::Service> {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                 grpc::ByteBuffer* response) override {
    *response = *request;
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::ParseCommandLine(argc, argv);

  grpc::EnableDefaultHealthCheckService(true);
  EchoService echo;
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "docanalysis-echo-server: cannot listen on " << listen << std::endl;
    return 2;
  }
  std::cout << "listening on " << listen.substr(0, listen.rfind(':')) << ":" << port << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  server->Shutdown();
  return 0;
}
