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
#include <filesystem>
#include <mutex>
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
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "service/common/log.h"
#include "service/core/analysis_service.h"
#include "service/core/executor.h"
#include "service/edge/analysis_grpc.h"
#include "service/edge/http_server.h"
#include "service/edge/metrics.h"
#include "service/plugin_host/isolation.h"
#include "service/plugin_host/plugin_registry.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "Address to serve gRPC on, HOST:PORT (port 0 picks a free port)");
ABSL_FLAG(std::string, plugin_dir, "plugins", "Folder of plugin folders; watched for changes");
ABSL_FLAG(int64_t, max_document_bytes, 1 << 20, "Largest document accepted, in bytes");
ABSL_FLAG(int32_t, worker_threads, 0, "Analysis worker threads; 0 means one per core");
ABSL_FLAG(int32_t, max_queued, 64, "Requests that may wait for a worker before RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_batch_documents, 1000, "Most documents in one AnalyzeBatch call");
ABSL_FLAG(int64_t, plugin_timeout_ms, 0, "Time budget of every plugin per document; 0 uses each manifest's timeout_ms");
ABSL_FLAG(int64_t, inline_max_bytes, 256,
          "Documents of at most this many bytes, when every plugin runs in process, are analysed on the thread that "
          "received them if an analysis worker is idle (no hand-off); -1 disables");
ABSL_FLAG(int32_t, watch_interval_ms, 250, "How often the plugin folder is scanned; 0 disables watching");
ABSL_FLAG(int32_t, quiet_period_ms, 300, "How long a plugin folder must be unchanged before it is loaded");
ABSL_FLAG(std::vector<std::string>, plugin_option, {},
          "Operator overrides of plugin options, as plugin.key=value (repeatable, comma-separated)");
ABSL_FLAG(std::string, admin_token_file, "", "Enables the PluginAdmin service; calls need 'authorization: Bearer <token in file>'");
ABSL_FLAG(std::string, http_listen, "",
          "Serve the HTTP/JSON API and the web page on HOST:PORT (port 0 picks a free port); empty disables");
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
ABSL_FLAG(std::string, require_plugins, "builtin",
          "Plugins (by name, comma-separated) that must be loaded before health says SERVING; health goes back "
          "to NOT_SERVING when one is lost. 'builtin': entity, sentiment and summary, those of them whose folders "
          "are in --plugin_dir at start; empty: none");
ABSL_FLAG(std::string, admin_listen, "",
          "Serve the PluginAdmin service on this HOST:PORT only (not on --listen); empty serves it on --listen");
ABSL_FLAG(int32_t, max_concurrent_streams, 1024, "Most concurrent calls on one client connection");
ABSL_FLAG(int64_t, max_server_memory_bytes, int64_t{2} << 30,
          "Memory gRPC may use for connections and messages in flight (a gRPC ResourceQuota)");
ABSL_FLAG(int64_t, max_inflight_bytes, int64_t{256} << 20,
          "Bytes of documents queued or being analysed at once; calls beyond it get RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, plugin_removal_grace_ms, 5000,
          "A plugin whose folder disappears keeps serving this long, or until its replacement loads");
ABSL_FLAG(bool, allow_unsafe_plugins, false,
          "Load plugin folders and libraries that other users can write, and symlinks leading outside the "
          "plugin folder (development only)");
ABSL_FLAG(std::string, isolation, "auto",
          "Where plugins run: auto (built-ins in the server process, every other plugin in sandboxed worker "
          "processes), manifest (as each manifest's \"isolation\" asks), process (all isolated) or in_process (none)");
ABSL_FLAG(std::vector<std::string>, plugin_isolation, {},
          "Per-plugin overrides of --isolation, as name=process or name=in_process (repeatable, comma-separated)");
ABSL_FLAG(std::string, plugin_worker, "",
          "Path of docanalysis-plugin-worker; empty: beside this server's executable");
ABSL_FLAG(int32_t, plugin_workers, 0, "Worker processes per isolated plugin, at most; 0 means one per core");
ABSL_FLAG(int64_t, plugin_memory_mb, 4096, "Address-space limit (RLIMIT_AS) of each plugin worker, MiB; 0: none");
ABSL_FLAG(int64_t, plugin_cpu_seconds, 0, "CPU-time limit (RLIMIT_CPU) of each plugin worker over its life, s; 0: none");
ABSL_FLAG(int32_t, plugin_kill_grace_ms, 200,
          "How long an isolated plugin may run on after its time budget (or the caller) cancelled it before its "
          "worker is killed");
ABSL_FLAG(int32_t, plugin_max_crashes, 20,
          "Worker deaths in a row after which an isolated plugin is marked broken until reloaded; 0: never");

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

// Every numeric flag, checked before anything starts: a negative or zero limit is an error.
std::string CheckFlags() {
  struct Range {
    const char* name;
    int64_t value, min, max;
    const char* why;
  };
  constexpr int64_t kInt32Max = 0x7fffffff;
  const Range ranges[] = {
      {"max_document_bytes", absl::GetFlag(FLAGS_max_document_bytes), 1, kInt32Max, "offsets are 32-bit"},
      {"worker_threads", absl::GetFlag(FLAGS_worker_threads), 0, 4096, "0 means one per core"},
      {"max_queued", absl::GetFlag(FLAGS_max_queued), 1, 1 << 20, ""},
      {"max_batch_documents", absl::GetFlag(FLAGS_max_batch_documents), 1, 1 << 20, ""},
      {"plugin_timeout_ms", absl::GetFlag(FLAGS_plugin_timeout_ms), 0, int64_t{24} * 3600 * 1000,
       "0 uses each manifest's timeout_ms"},
      {"inline_max_bytes", absl::GetFlag(FLAGS_inline_max_bytes), -1, kInt32Max, "-1 disables"},
      {"watch_interval_ms", absl::GetFlag(FLAGS_watch_interval_ms), 0, 3600 * 1000, "0 disables watching"},
      {"quiet_period_ms", absl::GetFlag(FLAGS_quiet_period_ms), 0, 3600 * 1000, ""},
      {"drain_grace_ms", absl::GetFlag(FLAGS_drain_grace_ms), 0, 3600 * 1000, ""},
      {"shutdown_timeout_ms", absl::GetFlag(FLAGS_shutdown_timeout_ms), 1, 3600 * 1000, ""},
      {"max_message_bytes", absl::GetFlag(FLAGS_max_message_bytes), 1024, kInt32Max, ""},
      {"max_connection_age_ms", absl::GetFlag(FLAGS_max_connection_age_ms), 0, kInt32Max, "0 keeps connections open"},
      {"max_concurrent_streams", absl::GetFlag(FLAGS_max_concurrent_streams), 1, 1 << 20, ""},
      {"max_server_memory_bytes", absl::GetFlag(FLAGS_max_server_memory_bytes), 1 << 20, int64_t{1} << 46, ""},
      {"max_inflight_bytes", absl::GetFlag(FLAGS_max_inflight_bytes), 1, int64_t{1} << 46, ""},
      {"plugin_removal_grace_ms", absl::GetFlag(FLAGS_plugin_removal_grace_ms), 0, 3600 * 1000, ""},
      {"plugin_workers", absl::GetFlag(FLAGS_plugin_workers), 0, 1024, "0 means one per core"},
      {"plugin_memory_mb", absl::GetFlag(FLAGS_plugin_memory_mb), 0, int64_t{1} << 30, "0: no limit"},
      {"plugin_cpu_seconds", absl::GetFlag(FLAGS_plugin_cpu_seconds), 0, int64_t{1} << 30, "0: no limit"},
      {"plugin_kill_grace_ms", absl::GetFlag(FLAGS_plugin_kill_grace_ms), 0, 3600 * 1000, ""},
      {"plugin_max_crashes", absl::GetFlag(FLAGS_plugin_max_crashes), 0, 1 << 20, "0: never"},
  };
  for (const Range& r : ranges) {
    if (r.value < r.min || r.value > r.max) {
      return absl::StrCat("--", r.name, "=", r.value, " is out of range: it must be between ", r.min, " and ", r.max,
                          *r.why ? absl::StrCat(" (", r.why, ")") : "");
    }
  }
  if (absl::GetFlag(FLAGS_max_document_bytes) > absl::GetFlag(FLAGS_max_message_bytes)) {
    return absl::StrCat("--max_document_bytes=", absl::GetFlag(FLAGS_max_document_bytes),
                        " is larger than --max_message_bytes=", absl::GetFlag(FLAGS_max_message_bytes),
                        ": such documents could never arrive");
  }
  std::string level = absl::AsciiStrToLower(absl::GetFlag(FLAGS_log_level));
  if (level != "debug" && level != "info" && level != "warning" && level != "error")
    return absl::StrCat("--log_level=", absl::GetFlag(FLAGS_log_level), ": use debug, info, warning or error");
  if (absl::GetFlag(FLAGS_tls_key).empty() != absl::GetFlag(FLAGS_tls_cert).empty())
    return "--tls_cert and --tls_key go together";
  if (!absl::GetFlag(FLAGS_tls_client_ca).empty() && absl::GetFlag(FLAGS_tls_cert).empty())
    return "--tls_client_ca (mTLS) needs --tls_cert and --tls_key";
  return "";
}

// Health that tells the truth: SERVING only while every required plugin is loaded and the server
// is not draining. Updated on every plugin snapshot swap.
class HealthGate {
 public:
  explicit HealthGate(std::vector<std::string> required) : required_(std::move(required)) {}

  void Attach(grpc::HealthCheckServiceInterface* health) {
    std::lock_guard<std::mutex> lock(mu_);
    health_ = health;
    ApplyLocked();
  }
  // HTTP GET /readyz follows the same state.
  void AttachHttp(HttpServer* http) {
    std::lock_guard<std::mutex> lock(mu_);
    http_ = http;
    http_->SetServing(!draining_ && missing_.empty());
  }
  void OnSnapshot(const PluginSnapshot& snap) {
    std::lock_guard<std::mutex> lock(mu_);
    missing_.clear();
    for (const auto& name : required_)
      if (snap.FindByName(name) == nullptr) missing_.push_back(name);
    ApplyLocked();
  }
  void Drain() {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    ApplyLocked();
  }

 private:
  void ApplyLocked() {
    bool serving = !draining_ && missing_.empty();
    if (http_ != nullptr) http_->SetServing(serving);
    if (health_ == nullptr || (known_ && serving == serving_)) return;
    health_->SetServingStatus(serving);
    // "liveness": SERVING while the process runs (the overall call above sets every service name).
    health_->SetServingStatus("liveness", true);
    if (known_ || !serving)
      Log(serving ? LogLevel::kInfo : LogLevel::kWarning, serving ? "health: SERVING" : "health: NOT_SERVING",
          {{"missing", absl::StrJoin(missing_, ",")}, {"draining", draining_ ? "yes" : "no"}});
    serving_ = serving;
    known_ = true;
  }

  const std::vector<std::string> required_;
  std::mutex mu_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  HttpServer* http_ = nullptr;
  std::vector<std::string> missing_ = {"(not scanned yet)"};
  bool draining_ = false, serving_ = false, known_ = false;
};

std::vector<std::string> RequiredPlugins(const std::string& flag, const std::string& plugin_dir) {
  std::vector<std::string> out;
  if (flag == "builtin") {
    for (const char* name : {"entity", "sentiment", "summary"}) {
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::path(plugin_dir) / name / "plugin.json", ec)) out.push_back(name);
    }
    return out;
  }
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace()))
    out.emplace_back(absl::StripAsciiWhitespace(part));
  return out;
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
  if (std::string bad = CheckFlags(); !bad.empty()) return Fail(bad);
  // Debian's Abseil is built without NDEBUG, so by default every absl::Mutex lock (gRPC's locks are
  // absl::Mutex) updates a lock-order graph for deadlock detection: a debugging aid that cost about a
  // tenth of the CPU of a small call (bench/PROFILE.md).
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
  IsolationPolicy isolation;
  if (auto mode = ParseIsolationMode(absl::GetFlag(FLAGS_isolation)); mode.ok()) isolation.mode = *mode;
  else return Fail(absl::StrCat("--isolation: ", mode.status().message()));
  for (const std::string& o : absl::GetFlag(FLAGS_plugin_isolation)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(o, absl::MaxSplits('=', 1));
    auto where = ParseIsolation(kv.second);
    if (kv.first.empty() || !where.ok()) return Fail(absl::StrCat("--plugin_isolation ", o, ": expected name=process or name=in_process"));
    isolation.per_plugin[kv.first] = *where;
  }
  isolation.process.worker_path = absl::GetFlag(FLAGS_plugin_worker);
  if (isolation.process.worker_path.empty()) {
    std::error_code ec;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    isolation.process.worker_path = (self.parent_path() / "docanalysis-plugin-worker").string();
  }
  if (::access(isolation.process.worker_path.c_str(), X_OK) != 0)
    Log(LogLevel::kWarning, "no plugin worker executable: isolated plugins will fail to load",
        {{"path", isolation.process.worker_path}});
  isolation.process.pool_size = std::max(0, absl::GetFlag(FLAGS_plugin_workers));
  isolation.process.memory_mb = std::max<int64_t>(0, absl::GetFlag(FLAGS_plugin_memory_mb));
  isolation.process.cpu_seconds = std::max<int64_t>(0, absl::GetFlag(FLAGS_plugin_cpu_seconds));
  isolation.process.kill_grace = absl::Milliseconds(std::max(0, absl::GetFlag(FLAGS_plugin_kill_grace_ms)));
  isolation.process.max_consecutive_crashes = std::max(0, absl::GetFlag(FLAGS_plugin_max_crashes));

  auto metrics_or = Metrics::Create(absl::GetFlag(FLAGS_metrics_listen));
  if (!metrics_or.ok()) return Fail(std::string(metrics_or.status().message()));
  std::unique_ptr<Metrics> metrics = std::move(*metrics_or);

  reg_opts.removal_grace = absl::Milliseconds(absl::GetFlag(FLAGS_plugin_removal_grace_ms));
  reg_opts.check_permissions = !absl::GetFlag(FLAGS_allow_unsafe_plugins);
  HealthGate health_gate(RequiredPlugins(absl::GetFlag(FLAGS_require_plugins), reg_opts.plugin_dir));
  PluginRegistry* registry_ptr = nullptr;  // set below; on_publish runs only after the first scan
  reg_opts.on_publish = [m = metrics.get(), &health_gate, &registry_ptr](size_t n) {
    m->SetLoadedPlugins(n);
    if (registry_ptr != nullptr) health_gate.OnSnapshot(*registry_ptr->Snapshot());
  };
  isolation.process.on_health = [m = metrics.get()](const std::string& plugin, const absl::Status& fault, bool broken) {
    m->ObservePluginHealth(plugin, static_cast<int>(fault.code()), broken);
  };
  reg_opts.loader = MakePluginLoader(isolation);
  PluginRegistry registry(reg_opts);
  registry_ptr = &registry;

  AnalysisOptions opts;
  opts.max_document_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_document_bytes));
  opts.plugin_timeout_ms = absl::GetFlag(FLAGS_plugin_timeout_ms);
  opts.inline_max_bytes = absl::GetFlag(FLAGS_inline_max_bytes);
  opts.on_plugin_run = [m = metrics.get()](const v1::PluginRun& run) { m->ObservePluginRun(run); };
  AnalysisService service(&registry, opts);
  Executor executor(static_cast<size_t>(absl::GetFlag(FLAGS_worker_threads)),
                    static_cast<size_t>(absl::GetFlag(FLAGS_max_queued)),
                    static_cast<size_t>(absl::GetFlag(FLAGS_max_inflight_bytes)));
  DocumentAnalysisGrpc analysis(&service, &executor, metrics.get(),
                                static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_max_batch_documents))));

  std::unique_ptr<PluginAdminGrpc> admin;
  if (std::string path = absl::GetFlag(FLAGS_admin_token_file); !path.empty()) {
    bool ok = false;
    std::string token(absl::StripAsciiWhitespace(ReadFile(path, &ok)));
    if (!ok || token.empty()) return Fail(absl::StrCat("--admin_token_file ", path, ": cannot read a token from it"));
    admin = std::make_unique<PluginAdminGrpc>(&registry, token);
    analysis.set_admin_token(token);
  }
  const std::string admin_listen = absl::GetFlag(FLAGS_admin_listen);
  if (!admin_listen.empty() && !admin) return Fail("--admin_listen needs --admin_token_file");

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
  // Link the descriptors of grpc.health.v1 into the pool that reflection serves, so that standard
  // tools (grpcurl describe / call grpc.health.v1.Health) work.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, creds, &port);
  builder.RegisterService(&analysis);
  if (admin && admin_listen.empty()) builder.RegisterService(admin.get());
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, absl::GetFlag(FLAGS_max_concurrent_streams));
  grpc::ResourceQuota quota("docanalysis-server");
  quota.Resize(static_cast<size_t>(absl::GetFlag(FLAGS_max_server_memory_bytes)));
  builder.SetResourceQuota(quota);
  if (int ms = absl::GetFlag(FLAGS_max_connection_age_ms); ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, std::max(ms, 10000));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return Fail(absl::StrCat("cannot listen on ", listen));
  // The HTTP/JSON edge: the same service, executor, limits and metrics as gRPC.
  std::unique_ptr<HttpServer> http;
  std::string http_address;
  if (std::string http_listen = absl::GetFlag(FLAGS_http_listen); !http_listen.empty()) {
    HttpServerOptions http_opts;
    http_opts.max_batch_body_bytes = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_max_message_bytes)));
    http_opts.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);  // HTTPS (and mTLS) exactly when gRPC has TLS
    http_opts.tls_key_file = absl::GetFlag(FLAGS_tls_key);
    http_opts.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
    http = std::make_unique<HttpServer>(&service, &executor, metrics.get(),
                                        static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_max_batch_documents))),
                                        http_opts);
    absl::StatusOr<int> http_port = http->Start(http_listen);
    if (!http_port.ok()) return Fail(std::string(http_port.status().message()));
    http_address = absl::StrCat(http_listen.substr(0, http_listen.rfind(':')), ":", *http_port);
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(false);  // NOT_SERVING until the required plugins are loaded
  health_gate.Attach(health);
  if (http) health_gate.AttachHttp(http.get());

  // The admin service on its own address, so that balancers and firewalls never expose it.
  std::unique_ptr<grpc::Server> admin_server;
  int admin_port = 0;
  if (admin && !admin_listen.empty()) {
    grpc::ServerBuilder ab;
    ab.AddListeningPort(admin_listen, creds, &admin_port);
    ab.RegisterService(admin.get());
    admin_server = ab.BuildAndStart();
    if (!admin_server || admin_port == 0) return Fail(absl::StrCat("cannot listen on ", admin_listen, " (--admin_listen)"));
  }

  registry.Rescan(/*force=*/true);
  health_gate.OnSnapshot(*registry.Snapshot());
  size_t loaded = registry.Snapshot()->plugins().size();
  if (int ms = absl::GetFlag(FLAGS_watch_interval_ms); ms > 0) registry.StartWatching(absl::Milliseconds(ms));

  std::string host = listen.substr(0, listen.rfind(':'));
  Log(LogLevel::kInfo, "serving", {{"address", absl::StrCat(host, ":", port)}, {"plugins", absl::StrCat(loaded)},
                                   {"plugin_dir", reg_opts.plugin_dir}, {"workers", absl::StrCat(executor.threads())},
                                   {"admin", admin ? "on" : "off"}, {"metrics_port", absl::StrCat(metrics->port())}});
  if (metrics->port() != 0) {
    std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
    std::cout << "metrics on " << metrics_listen.substr(0, metrics_listen.rfind(':')) << ":" << metrics->port() << std::endl;
  }
  if (http) std::cout << "http on " << http_address << std::endl;
  if (admin_server) {
    std::cout << "admin on " << admin_listen.substr(0, admin_listen.rfind(':')) << ":" << admin_port << std::endl;
  }
  std::cout << "listening on " << host << ":" << port << std::endl;

  // Wait for signals; SIGHUP reloads, SIGTERM/SIGINT drain and exit.
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Log(LogLevel::kInfo, "SIGHUP: reloading plugins");
      if (absl::GetFlag(FLAGS_watch_interval_ms) > 0) registry.RequestRescan();
      else registry.Reload();
      continue;
    }
    Log(LogLevel::kInfo, "draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  health_gate.Drain();  // gRPC health and HTTP /readyz
  if (int ms = absl::GetFlag(FLAGS_drain_grace_ms); ms > 0) absl::SleepFor(absl::Milliseconds(ms));
  std::thread http_stop([&http] { if (http) http->Stop(); });  // in parallel with gRPC's drain
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_timeout_ms)));
  Log(LogLevel::kDebug, "server shut down");
  server->Wait();
  http_stop.join();
  if (admin_server) {
    admin_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    admin_server->Wait();
  }
  Log(LogLevel::kDebug, "server stopped");
  executor.Shutdown();
  registry.StopWatching();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace docanalysis

int main(int argc, char** argv) { return docanalysis::Main(argc, argv); }
