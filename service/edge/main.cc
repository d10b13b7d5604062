// docanalysis-server: the gRPC server.
//
//   docanalysis-server --listen 127.0.0.1:50051 --plugin_dir build/plugins
//
// With port 0 it binds a free port; it prints `listening on HOST:PORT` on stdout once it serves.
// SIGTERM/SIGINT drain (health NOT_SERVING, finish in-flight work, exit 0); SIGHUP reloads plugins.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/log.h"
#include "service/core/analysis_service.h"
#include "service/core/executor.h"
#include "service/edge/analysis_grpc.h"
#include "service/edge/metrics.h"
#include "service/plugin_host/plugin_registry.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "Address to serve gRPC on, HOST:PORT (port 0 picks a free port)");
ABSL_FLAG(std::string, plugin_dir, "plugins", "Folder of plugin folders; watched for changes");
ABSL_FLAG(int64_t, max_document_bytes, 1 << 20, "Largest document accepted, in bytes");
ABSL_FLAG(int32_t, worker_threads, 0, "Analysis worker threads; 0 means one per core");
ABSL_FLAG(int32_t, max_queued, 64, "Requests that may wait for a worker before RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_batch_documents, 1000, "Most documents in one AnalyzeBatch call");
ABSL_FLAG(int64_t, plugin_timeout_ms, 0, "Time budget of every plugin per document; 0 uses each manifest's timeout_ms");
ABSL_FLAG(int32_t, watch_interval_ms, 250, "How often the plugin folder is scanned; 0 disables watching");
ABSL_FLAG(int32_t, quiet_period_ms, 300, "How long a plugin folder must be unchanged before it is loaded");
ABSL_FLAG(std::vector<std::string>, plugin_option, {},
          "Operator overrides of plugin options, as plugin.key=value (repeatable, comma-separated)");
ABSL_FLAG(std::string, admin_token_file, "", "Enables the PluginAdmin service; calls need 'authorization: Bearer <token in file>'");
ABSL_FLAG(std::string, metrics_listen, "", "Serve Prometheus metrics on HOST:PORT (/metrics); empty disables");
ABSL_FLAG(int32_t, drain_grace_ms, 0, "On SIGTERM, report NOT_SERVING this long before refusing new calls (lets balancers notice)");
ABSL_FLAG(int32_t, shutdown_timeout_ms, 20000, "On SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain; with --tls_key, serve TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA bundle; when set, clients must present a certificate it signed (mTLS)");
ABSL_FLAG(int32_t, max_message_bytes, 64 << 20, "Largest gRPC message received or sent");
ABSL_FLAG(int32_t, max_connection_age_ms, 0,
          "Close each client connection (with GOAWAY, after its calls finish) this long after it opened, so "
          "clients that balance by themselves see new replicas; 0 keeps connections open");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");

namespace docanalysis {
namespace {

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Fail(const std::string& message) {
  Log(LogLevel::kError, message);
  std::cerr << "docanalysis-server: " << message << std::endl;
  return 2;
}

int Main(int argc, char** argv) {
  // Signals are taken by one thread with sigwait; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  absl::SetProgramUsageMessage("docanalysis-server --listen HOST:PORT --plugin_dir DIR [flags]");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built without NDEBUG, so by default every absl::Mutex lock (gRPC's locks are
  // absl::Mutex) updates a lock-order graph for deadlock detection: a debugging aid that cost about a
  // tenth of the CPU of a small call (bench/RESULTS.md).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::string level = absl::AsciiStrToLower(absl::GetFlag(FLAGS_log_level));
  SetLogLevel(level == "debug" ? LogLevel::kDebug : level == "warning" ? LogLevel::kWarning
              : level == "error" ? LogLevel::kError : LogLevel::kInfo);


  PluginRegistryOptions reg_opts;
  reg_opts.plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  reg_opts.quiet_period = absl::Milliseconds(absl::GetFlag(FLAGS_quiet_period_ms));
  for (const std::string& o : absl::GetFlag(FLAGS_plugin_option)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(o, absl::MaxSplits('=', 1));
    size_t dot = kv.first.find('.');
    if (o.find('=') == std::string::npos || dot == std::string::npos || dot == 0)
      return Fail(absl::StrCat("--plugin_option ", o, ": expected plugin.key=value"));
    reg_opts.option_overrides[kv.first.substr(0, dot)].emplace_back(kv.first.substr(dot + 1), kv.second);
  }
  auto metrics_or = Metrics::Create(absl::GetFlag(FLAGS_metrics_listen));
  if (!metrics_or.ok()) return Fail(std::string(metrics_or.status().message()));
  std::unique_ptr<Metrics> metrics = std::move(*metrics_or);

  reg_opts.on_publish = [m = metrics.get()](size_t n) { m->SetLoadedPlugins(n); };
  PluginRegistry registry(reg_opts);

  AnalysisOptions opts;
  opts.max_document_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_document_bytes));
  opts.plugin_timeout_ms = absl::GetFlag(FLAGS_plugin_timeout_ms);
  opts.on_plugin_run = [m = metrics.get()](const v1::PluginRun& run) { m->ObservePluginRun(run); };
  AnalysisService service(&registry, opts);
  Executor executor(static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_worker_threads))),
                    static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_max_queued))));
  DocumentAnalysisGrpc analysis(&service, &executor, metrics.get(),
                                static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_max_batch_documents))));

  std::unique_ptr<PluginAdminGrpc> admin;
  if (std::string path = absl::GetFlag(FLAGS_admin_token_file); !path.empty()) {
    bool ok = false;
    std::string token(absl::StripAsciiWhitespace(ReadFile(path, &ok)));
    if (!ok || token.empty()) return Fail(absl::StrCat("--admin_token_file ", path, ": cannot read a token from it"));
    admin = std::make_unique<PluginAdminGrpc>(&registry, token);
  }

  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    bool ok1 = false, ok2 = false, ok3 = true;
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair{ReadFile(absl::GetFlag(FLAGS_tls_key), &ok1),
                                                           ReadFile(absl::GetFlag(FLAGS_tls_cert), &ok2)};
    if (!absl::GetFlag(FLAGS_tls_client_ca).empty()) {
      ssl.pem_root_certs = ReadFile(absl::GetFlag(FLAGS_tls_client_ca), &ok3);
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    if (!ok1 || !ok2 || !ok3) return Fail("cannot read the TLS certificate, key or client CA");
    ssl.pem_key_cert_pairs.push_back(pair);
    creds = grpc::SslServerCredentials(ssl);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, creds, &port);
  builder.RegisterService(&analysis);
  if (admin) builder.RegisterService(admin.get());
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  if (int ms = absl::GetFlag(FLAGS_max_connection_age_ms); ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, std::max(ms, 10000));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return Fail(absl::StrCat("cannot listen on ", listen));
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(false);  // NOT_SERVING until plugins are loaded

  registry.Rescan(/*force=*/true);
  size_t loaded = registry.Snapshot()->plugins().size();
  if (int ms = absl::GetFlag(FLAGS_watch_interval_ms); ms > 0) registry.StartWatching(absl::Milliseconds(ms));
  health->SetServingStatus(true);

  std::string host = listen.substr(0, listen.rfind(':'));
  Log(LogLevel::kInfo, "serving", {{"address", absl::StrCat(host, ":", port)}, {"plugins", absl::StrCat(loaded)},
                                   {"plugin_dir", reg_opts.plugin_dir}, {"workers", absl::StrCat(executor.threads())},
                                   {"admin", admin ? "on" : "off"}, {"metrics_port", absl::StrCat(metrics->port())}});
  if (metrics->port() != 0) {
    std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
    std::cout << "metrics on " << metrics_listen.substr(0, metrics_listen.rfind(':')) << ":" << metrics->port() << std::endl;
  }
  std::cout << "listening on " << host << ":" << port << std::endl;

  // Wait for signals; SIGHUP reloads, SIGTERM/SIGINT drain and exit.
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Log(LogLevel::kInfo, "SIGHUP: reloading plugins");
      registry.RequestRescan();
      if (absl::GetFlag(FLAGS_watch_interval_ms) <= 0) registry.Rescan(/*force=*/true);
      continue;
    }
    Log(LogLevel::kInfo, "draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  health->SetServingStatus(false);
  if (int ms = absl::GetFlag(FLAGS_drain_grace_ms); ms > 0) absl::SleepFor(absl::Milliseconds(ms));
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_timeout_ms)));
  Log(LogLevel::kDebug, "server shut down");
  server->Wait();
  Log(LogLevel::kDebug, "server stopped");
  executor.Shutdown();
  registry.StopWatching();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace docanalysis

int main(int argc, char** argv) { return docanalysis::Main(argc, argv); }
