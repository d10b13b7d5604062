// Tests of docanalysis::Client and the docanalysis CLI against the real server.
//
// The server: DOCANALYSIS_TARGET when set; else the docanalysis-server binary (DOCANALYSIS_SERVER, or the
// build's, compiled in as DOCANALYSIS_SERVER_PATH) with DOCANALYSIS_PLUGIN_DIR (or the build's plugin
// folder), started once on 127.0.0.1:0 and stopped with SIGTERM at the end.
#include "docanalysis/client/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"

#ifndef DOCANALYSIS_SERVER_PATH
#define DOCANALYSIS_SERVER_PATH ""
#endif
#ifndef DOCANALYSIS_PLUGIN_PATH
#define DOCANALYSIS_PLUGIN_PATH ""
#endif
#ifndef DOCANALYSIS_CLI_PATH
#define DOCANALYSIS_CLI_PATH ""
#endif

namespace docanalysis {
namespace {

// Written for these tests: accents, CJK and emoji before many spans, so that byte, UTF-16 and code
// point offsets all differ.
const char kUnicodeDoc[] =
    "Angela Merkel met Emmanuel Macron in Paris on Tuesday 😀. "
    "Zoë Saldaña flew from São Paulo to 東京 with engineers from Microsoft. "
    "The 会議 in Berlin was a great success 🎉, said Sundar Pichai of Google. "
    "Critics in München called the plan terrible and wasteful.";

const char kEnglishDoc[] =
    "Apple announced record profits on Monday. Tim Cook said the company would open a new "
    "office in London next year. Investors were delighted, and the shares rose sharply. "
    "Analysts at Goldman Sachs warned that the growth could slow in Europe.";

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// A docanalysis-server child process on 127.0.0.1:0.
class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Stop(); }

  // Plugins load after the port opens: waits until the server lists loaded plugins, the same number
  // twice in a row, within 30 s. `probe` says how to connect (TLS); its target is replaced.
  static bool WaitForPlugins(const std::string& target, ClientOptions probe) {
    probe.target = target;
    probe.timeout = std::chrono::seconds(2);
    auto c = Client::Create(probe);
    if (!c.ok()) return false;
    int last = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = (*c)->ListPlugins();
      int loaded = 0;
      if (r.ok()) {
        for (const auto& p : r->plugins()) loaded += p.state() == v1::PluginInfo::LOADED;
      }
      if (loaded > 0 && loaded == last) return true;
      last = r.ok() ? loaded : -1;
      usleep(200 * 1000);
    }
    return false;
  }

  // Starts the server with `extra` flags; returns its HOST:PORT, or "" (with a test failure message in
  // *error) when it does not come up within 30 s.
  std::string Start(const std::vector<std::string>& extra, std::string* error, const ClientOptions& probe = {}) {
    const std::string bin = Env("DOCANALYSIS_SERVER", DOCANALYSIS_SERVER_PATH);
    const std::string plugins = Env("DOCANALYSIS_PLUGIN_DIR", DOCANALYSIS_PLUGIN_PATH);
    if (bin.empty() || access(bin.c_str(), X_OK) != 0) {
      *error = "no server binary (set DOCANALYSIS_TARGET, or DOCANALYSIS_SERVER and DOCANALYSIS_PLUGIN_DIR): " + bin;
      return "";
    }
    int fds[2];
    if (pipe(fds) != 0) {
      *error = "pipe failed";
      return "";
    }
    std::vector<std::string> argv_s = {bin, "--listen", "127.0.0.1:0", "--plugin_dir", plugins};
    argv_s.insert(argv_s.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (auto& s : argv_s) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    // Read lines until "listening on HOST:PORT"; a thread then drains stdout so the server never blocks.
    std::string target;
    const std::regex re(R"(listening on (\S+:\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    char line[4096];
    while (std::chrono::steady_clock::now() < deadline && fgets(line, sizeof line, out_) != nullptr) {
      std::cmatch m;
      if (std::regex_search(line, m, re)) {
        target = m[1].str();
        break;
      }
    }
    if (target.empty()) {
      *error = "server " + bin + " printed no 'listening on HOST:PORT'";
      Stop();
      return "";
    }
    drain_ = std::thread([f = out_] {
      char buf[4096];
      while (fgets(buf, sizeof buf, f) != nullptr) {
      }
    });
    if (!WaitForPlugins(target, probe)) {
      *error = "server " + bin + " at " + target + " loaded no plugins within 30 s";
      Stop();
      return "";
    }
    return target;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 150 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100 * 1000);
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
    if (drain_.joinable()) drain_.join();
    if (out_ != nullptr) {
      fclose(out_);
      out_ = nullptr;
    }
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::thread drain_;
};

std::string g_target;
ServerProcess* g_server = nullptr;

class LiveServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_target = Env("DOCANALYSIS_TARGET", "");
    if (!g_target.empty()) return;
    g_server = new ServerProcess();
    std::string error;
    g_target = g_server->Start({}, &error);
    ASSERT_FALSE(g_target.empty()) << error;
  }
  void TearDown() override {
    delete g_server;
    g_server = nullptr;
  }
};

std::unique_ptr<Client> NewClient(ClientOptions options = {}) {
  if (options.target == ClientOptions().target) options.target = g_target;
  auto c = Client::Create(options);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

bool HasFeature(const Client& c, const std::string& feature) {
  auto r = c.ListPlugins();
  if (!r.ok()) return false;
  for (const auto& p : r->plugins()) {
    if (p.state() != v1::PluginInfo::LOADED) continue;
    for (const auto& f : p.features()) {
      if (f == feature) return true;
    }
  }
  return false;
}

void ExpectSlices(const std::string& text, const std::string& what, const v1::TextSpan& span) {
  const int b = span.begin_offset(), e = span.end_offset();
  ASSERT_TRUE(b >= 0 && b <= e && static_cast<size_t>(e) <= text.size())
      << what << ": span [" << b << "," << e << ") outside the " << text.size() << "-byte text";
  EXPECT_EQ(text.substr(b, e - b), span.content()) << what << " at [" << b << "," << e << ")";
}

// Holds each Analyze call `delay` (or until its deadline) and then forwards it to the real server.
class SlowProxy final : public v1::DocumentAnalysis::Service {
 public:
  SlowProxy(const std::string& upstream, std::chrono::milliseconds delay)
      : stub_(v1::DocumentAnalysis::NewStub(grpc::CreateChannel(upstream, grpc::InsecureChannelCredentials()))),
        delay_(delay) {}

  grpc::Status Analyze(grpc::ServerContext* context, const v1::AnalyzeRequest* req, v1::AnalyzeResponse* resp) override {
    if (context->deadline() != std::chrono::system_clock::time_point::max()) saw_deadline_ = true;
    const auto until = std::chrono::system_clock::now() + delay_;
    while (std::chrono::system_clock::now() < until && !context->IsCancelled()) usleep(10 * 1000);
    grpc::ClientContext ctx;
    ctx.set_deadline(context->deadline());
    return stub_->Analyze(&ctx, *req, resp);
  }

  bool saw_deadline() const { return saw_deadline_; }

 private:
  std::unique_ptr<v1::DocumentAnalysis::Stub> stub_;
  const std::chrono::milliseconds delay_;
  std::atomic<bool> saw_deadline_{false};
};

TEST(ClientTest, ListPlugins) {
  auto c = NewClient();
  auto r = c->ListPlugins();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->host_abi_version().empty());
  ASSERT_GT(r->plugins_size(), 0);
  for (const auto& p : r->plugins()) {
    EXPECT_FALSE(p.name().empty());
    EXPECT_GT(p.features_size(), 0) << p.name();
  }
}

TEST(ClientTest, AnalyzeEnglish) {
  auto c = NewClient();
  AnalyzeOptions o;
  o.document_id = "en-1";
  auto r = c->Analyze(kEnglishDoc, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->document_id(), "en-1");
  EXPECT_EQ(r->sentences_size(), 4);
  EXPECT_GT(r->plugin_runs_size(), 0);
  for (const auto& run : r->plugin_runs()) EXPECT_EQ(run.code(), 0) << run.plugin() << ": " << run.message();
  if (HasFeature(*c, "entities")) {
    bool found = false;
    for (const auto& e : r->entities()) found = found || e.name().find("Tim Cook") != std::string::npos;
    EXPECT_TRUE(found) << r->DebugString();
  }
  if (HasFeature(*c, "sentiment")) {
    EXPECT_GE(r->document_sentiment().score(), -1);
    EXPECT_LE(r->document_sentiment().score(), 1);
    EXPECT_GE(r->document_sentiment().magnitude(), 0);
  }
}

// Number of code points in the first `bytes` bytes of UTF-8 text.
int CodePoints(const std::string& text, size_t bytes) {
  int n = 0;
  for (size_t i = 0; i < bytes && i < text.size(); ++i) n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return n;
}

TEST(ClientTest, Utf8OffsetsSliceTheText) {
  const std::string text = kUnicodeDoc;
  auto c = NewClient();
  auto r = c->Analyze(text);  // default: UTF-8 byte offsets
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->sentences_size(), 4);
  bool shifted = false;
  for (const auto& s : r->sentences()) {
    ExpectSlices(text, "sentence", s.text());
    shifted = shifted || CodePoints(text, s.text().begin_offset()) != s.text().begin_offset();
  }
  EXPECT_TRUE(shifted) << "no sentence starts after a multi-byte character: the document tests nothing";
  int mentions = 0;
  for (const auto& e : r->entities()) {
    for (const auto& m : e.mentions()) {
      ExpectSlices(text, "mention of " + e.name(), m.text());
      ++mentions;
    }
  }
  if (HasFeature(*c, "entities")) EXPECT_GT(mentions, 0);
  for (const auto& s : r->summary().sentences()) ExpectSlices(text, "summary sentence", s.text());

  // Code point offsets of the same request count the same spans.
  AnalyzeOptions o;
  o.encoding = v1::UTF32;
  auto r32 = c->Analyze(text, o);
  ASSERT_TRUE(r32.ok()) << r32.status();
  ASSERT_EQ(r32->sentences_size(), r->sentences_size());
  for (int i = 0; i < r->sentences_size(); ++i) {
    EXPECT_EQ(r32->sentences(i).text().begin_offset(), CodePoints(text, r->sentences(i).text().begin_offset()));
    EXPECT_EQ(r32->sentences(i).text().end_offset(), CodePoints(text, r->sentences(i).text().end_offset()));
  }
}

TEST(ClientTest, BatchKeepsOrderAndPerDocumentErrors) {
  auto c = NewClient();
  AnalyzeOptions a, b, d;
  a.document_id = "a";
  b.document_id = "b";
  d.document_id = "c";
  auto r = c->AnalyzeBatch({MakeRequest(kEnglishDoc, a), MakeRequest("bad \xff bytes", b), MakeRequest(kUnicodeDoc, d)});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].document_id(), "a");
  EXPECT_EQ((*r)[1].document_id(), "b");
  EXPECT_EQ((*r)[2].document_id(), "c");
  EXPECT_TRUE(DocumentStatus((*r)[0]).ok());
  EXPECT_EQ(DocumentStatus((*r)[1]).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(DocumentStatus((*r)[2]).ok());
  EXPECT_GE((*r)[2].sentences_size(), 4);
}

TEST(ClientTest, StreamAnswersInOrder) {
  auto c = NewClient();
  std::vector<v1::AnalyzeRequest> requests;
  for (int i = 0; i < 6; ++i) {
    AnalyzeOptions o;
    o.document_id = std::string(1, static_cast<char>('a' + i));
    requests.push_back(MakeRequest(i == 3 ? std::string("x\xc3") : std::string(kEnglishDoc), o));
  }
  std::vector<std::string> ids;
  absl::Status s = c->AnalyzeStream(requests, [&](const v1::AnalyzeResponse& r) {
    ids.push_back(r.document_id());
    if (r.document_id() == "d") {
      EXPECT_EQ(DocumentStatus(r).code(), absl::StatusCode::kInvalidArgument);
    } else {
      EXPECT_TRUE(DocumentStatus(r).ok()) << r.document_id();
      EXPECT_EQ(r.sentences_size(), 4);
    }
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
}

TEST(ClientTest, ErrorsCarryServerStatus) {
  auto c = NewClient();
  auto r = c->Analyze(std::string("good text \xfe then bad"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("10"), std::string::npos)
      << "message does not name the bad byte's offset: " << r.status().message();
}

TEST(ClientTest, DeadlinesReachTheServer) {
  // A proxy that holds each call 500 ms before the real server answers it.
  SlowProxy proxy(g_target, std::chrono::milliseconds(500));
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&proxy);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ClientOptions o;
  o.target = "127.0.0.1:" + std::to_string(port);
  o.timeout = std::chrono::milliseconds(100);
  auto tight = NewClient(o);
  auto r = tight->Analyze(kEnglishDoc);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_TRUE(proxy.saw_deadline()) << "the deadline did not reach the server";
  o.timeout = std::chrono::seconds(10);
  auto loose = NewClient(o);
  EXPECT_TRUE(loose->Analyze(kEnglishDoc).ok());
  server->Shutdown();
}

std::string DeadAddress() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

TEST(ClientTest, RoundRobinOverAddressLists) {
  std::string live = g_target;
  if (live.rfind("localhost:", 0) == 0) live = "127.0.0.1:" + live.substr(10);
  for (const std::string& t : {"ipv4:" + DeadAddress() + "," + live, "ipv4:" + live + "," + live,
                               DeadAddress() + "," + live}) {
    ClientOptions o;
    o.target = t;
    auto c = NewClient(o);
    for (int i = 0; i < 6; ++i) {
      AnalyzeOptions a;
      a.features = {"sentiment"};
      auto r = c->Analyze(kEnglishDoc, a);
      EXPECT_TRUE(r.ok()) << t << ": " << r.status();
    }
  }
}

// Sits in front of the live server: answers the first fail_first Analyze attempts with UNAVAILABLE
// (a replica going away) and forwards everything else to the real server.
class FaultProxy final : public v1::DocumentAnalysis::Service {
 public:
  FaultProxy(const std::string& upstream, int fail_first)
      : stub_(v1::DocumentAnalysis::NewStub(grpc::CreateChannel(upstream, grpc::InsecureChannelCredentials()))),
        fail_first_(fail_first) {}

  grpc::Status Analyze(grpc::ServerContext*, const v1::AnalyzeRequest* req, v1::AnalyzeResponse* resp) override {
    const int n = ++attempts_;
    if (n <= fail_first_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "injected fault " + std::to_string(n) + ": replica restarting");
    }
    grpc::ClientContext ctx;
    return stub_->Analyze(&ctx, *req, resp);
  }

  int attempts() const { return attempts_; }

 private:
  std::unique_ptr<v1::DocumentAnalysis::Stub> stub_;
  const int fail_first_;
  std::atomic<int> attempts_{0};
};

TEST(ClientTest, RetriesUnavailableThroughServiceConfig) {
  for (int max_attempts : {4, 1}) {
    FaultProxy proxy(g_target, max_attempts == 4 ? 2 : 1);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&proxy);
    auto server = builder.BuildAndStart();
    ASSERT_NE(server, nullptr);
    ClientOptions o;
    o.target = "127.0.0.1:" + std::to_string(port);
    o.max_attempts = max_attempts;
    auto c = NewClient(o);
    auto r = c->Analyze(kEnglishDoc);
    if (max_attempts == 4) {
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->sentences_size(), 4);
      EXPECT_EQ(proxy.attempts(), 3);
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
      EXPECT_NE(r.status().message().find("injected fault 1"), std::string::npos) << r.status();
      EXPECT_EQ(proxy.attempts(), 1);
    }
    server->Shutdown();
  }
}

TEST(ClientTest, RoundRobinSpreadsCallsOverReplicas) {
  FaultProxy p1(g_target, 0), p2(g_target, 0);
  int port1 = 0, port2 = 0;
  grpc::ServerBuilder b1, b2;
  b1.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port1);
  b1.RegisterService(&p1);
  b2.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port2);
  b2.RegisterService(&p2);
  auto s1 = b1.BuildAndStart();
  auto s2 = b2.BuildAndStart();
  ASSERT_TRUE(s1 != nullptr && s2 != nullptr);
  ClientOptions o;
  o.target = "ipv4:127.0.0.1:" + std::to_string(port1) + ",127.0.0.1:" + std::to_string(port2);
  auto c = NewClient(o);
  // Until both subchannels are up, round-robin has only one to pick from.
  for (int i = 0; i < 50 && (p1.attempts() == 0 || p2.attempts() == 0); ++i) ASSERT_TRUE(c->Analyze("One sentence.").ok());
  const int n1 = p1.attempts(), n2 = p2.attempts();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c->Analyze("One sentence.").ok());
  EXPECT_EQ(p1.attempts() - n1, 5);
  EXPECT_EQ(p2.attempts() - n2, 5);
  s1->Shutdown();
  s2->Shutdown();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh temporary folder.
std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "docanalysis-cpp-XXXXXX").string();
  return mkdtemp(tmpl.data());
}

TEST(ClientTest, TlsAgainstTheRealServer) {
  const std::string dir = TempDir();
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                          "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
                          key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl failed";
  ServerProcess tls_server;
  std::string error;
  ClientOptions probe;
  probe.use_tls = true;
  probe.root_certs_pem = ReadAll(cert);
  const std::string target = tls_server.Start({"--tls_cert", cert, "--tls_key", key}, &error, probe);
  if (target.empty() && !Env("DOCANALYSIS_TARGET", "").empty() && Env("DOCANALYSIS_SERVER", DOCANALYSIS_SERVER_PATH).empty()) {
    GTEST_SKIP() << "no server binary to start a TLS server: " << error;
  }
  ASSERT_FALSE(target.empty()) << error;
  ClientOptions o;
  o.target = target;
  o.use_tls = true;
  o.root_certs_pem = ReadAll(cert);
  auto c = NewClient(o);
  auto r = c->Analyze(kEnglishDoc);
  EXPECT_TRUE(r.ok()) << r.status();
  // Plaintext to the TLS port fails.
  ClientOptions plain;
  plain.target = target;
  plain.max_attempts = 1;
  plain.timeout = std::chrono::seconds(5);
  auto p = NewClient(plain);
  EXPECT_EQ(p->Analyze(kEnglishDoc).status().code(), absl::StatusCode::kUnavailable);
  std::filesystem::remove_all(dir);
}

TEST(ClientTest, ServiceConfigJson) {
  EXPECT_NE(ServiceConfigJson(4).find(R"("maxAttempts":4)"), std::string::npos);
  EXPECT_NE(ServiceConfigJson(4).find("round_robin"), std::string::npos);
  EXPECT_EQ(ServiceConfigJson(1).find("retryPolicy"), std::string::npos);
}

// Runs the CLI with `args` (shell words), stdin from `input` when not empty; returns exit status and
// stdout (stderr goes to *err when given).
int RunCli(const std::string& args, std::string* out, std::string* err = nullptr, const std::string& input = "") {
  const std::string cli = DOCANALYSIS_CLI_PATH;
  const std::string dir = TempDir();
  std::string cmd = "'" + cli + "' " + args + " >" + dir + "/out 2>" + dir + "/err";
  if (!input.empty()) {
    std::ofstream(dir + "/in") << input;
    cmd += " <" + dir + "/in";
  }
  const int status = std::system(cmd.c_str());
  *out = ReadAll(dir + "/out");
  if (err != nullptr) *err = ReadAll(dir + "/err");
  std::filesystem::remove_all(dir);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CliTest, AnalyzeFilePrintsProtoJson) {
  if (std::string(DOCANALYSIS_CLI_PATH).empty()) GTEST_SKIP() << "CLI not built";
  const std::string dir = TempDir();
  std::ofstream(dir + "/doc.txt") << kUnicodeDoc;
  std::string out;
  // The acceptance's form (no subcommand) and the shared CLI contract's form.
  for (const std::string& args : {"--target " + g_target + " --json " + dir + "/doc.txt",
                                  "analyze " + dir + "/doc.txt --target " + g_target + " --encoding utf16 --json"}) {
    ASSERT_EQ(RunCli(args, &out), 0) << args;
    v1::AnalyzeResponse r;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
    EXPECT_NE(out.find("\"pluginRuns\""), std::string::npos) << "canonical JSON names expected: " << out;
    EXPECT_GE(r.sentences_size(), 4);
  }
  std::filesystem::remove_all(dir);
}

TEST(CliTest, StdinAndErrors) {
  if (std::string(DOCANALYSIS_CLI_PATH).empty()) GTEST_SKIP() << "CLI not built";
  std::string out, err;
  EXPECT_EQ(RunCli("--target " + g_target + " --features sentiment", &out, &err, kEnglishDoc), 0) << err;
  EXPECT_NE(out.find("4 sentences"), std::string::npos) << out;
  EXPECT_EQ(RunCli("- --target " + g_target + " --encoding latin1", &out, &err, kEnglishDoc), 2);
  EXPECT_EQ(RunCli("--target 127.0.0.1:1 --timeout_ms 3000", &out, &err, kEnglishDoc), 3);
  EXPECT_NE(err.find("UNAVAILABLE"), std::string::npos) << err;
  EXPECT_EQ(RunCli("--target " + g_target, &out, &err, "bad \xff"), 3);
  EXPECT_NE(err.find("INVALID_ARGUMENT"), std::string::npos) << err;
}

TEST(CliTest, BatchWithProgressBar) {
  if (std::string(DOCANALYSIS_CLI_PATH).empty()) GTEST_SKIP() << "CLI not built";
  const std::string dir = TempDir();
  for (int i = 0; i < 5; ++i) std::ofstream(dir + "/doc" + std::to_string(i) + ".txt") << kEnglishDoc;
  std::ofstream(dir + "/zz-bad.txt") << "bad \xff";
  std::string out, err;
  EXPECT_EQ(RunCli("--batch " + dir + " --target " + g_target + " --json --progress always", &out, &err), 4);
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> ids;
  while (std::getline(lines, line)) {
    v1::AnalyzeResponse r;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &r).ok()) << line;
    ids.push_back(r.document_id());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"doc0.txt", "doc1.txt", "doc2.txt", "doc3.txt", "doc4.txt", "zz-bad.txt"}));
  EXPECT_NE(err.find("6/6 100%"), std::string::npos) << err;
  EXPECT_NE(err.find("1 failed"), std::string::npos) << err;
  std::filesystem::remove_all(dir);
}

TEST(CliTest, ExitStatusesOfTheContract) {
  if (std::string(DOCANALYSIS_CLI_PATH).empty()) GTEST_SKIP() << "CLI not built";
  const std::string dir = TempDir();
  const std::string doc = dir + "/doc.txt";
  std::ofstream(doc) << kEnglishDoc;
  struct Case {
    std::string args;
    int want;
    std::string in_stderr;
  };
  const std::vector<Case> cases = {
      {"analyze " + doc + " --target " + g_target + " --features no-such-feature", 3, "INVALID_ARGUMENT"},
      {"analyze " + doc + " --target " + g_target + " --timeout abc", 2, "--timeout"},
      {"analyze " + doc + " --target " + g_target + " --timeout -1", 2, "--timeout"},
      {"analyze " + doc + " --target " + g_target + " --option novalue", 2, "--option"},
      {"analyze " + doc + " --target " + g_target + " --no-such-flag", 2, "--no-such-flag"},
      {"analyze " + doc + " --target " + g_target + " --tls-cert " + doc, 2, "--tls-key"},
      {"analyze " + doc + ".missing --target " + g_target, 2, "cannot read"},
      {"analyze " + doc + " --target " + DeadAddress() + " --timeout 5", 3, "UNAVAILABLE"},
  };
  for (const auto& c : cases) {
    std::string out, err;
    EXPECT_EQ(RunCli(c.args, &out, &err), c.want) << c.args << "\n" << err;
    EXPECT_NE(err.find(c.in_stderr), std::string::npos) << c.args << "\n" << err;
    EXPECT_LE(std::count(err.begin(), err.end(), '\n'), 1) << c.args << ": more than one line\n" << err;
  }
  std::string out, err;
  ASSERT_EQ(RunCli("analyze " + doc + " --target " + g_target + " --json --features summary --option "
                   "summary.max_sentences=1", &out, &err), 0) << err;
  v1::AnalyzeResponse r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &r).ok()) << out;
  EXPECT_EQ(r.summary().sentences_size(), 1);
  ASSERT_EQ(RunCli("analyze " + doc + " " + doc + " --target " + g_target + " --json --features sentiment", &out, &err), 0)
      << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << "one line per file:\n" << out;
  std::filesystem::remove_all(dir);
}

// A throwing response callback used to destroy the joinable writer thread: std::terminate, the process gone.
TEST(StreamTest, ThrowingCallbackPropagatesInsteadOfTerminating) {
  auto c = NewClient();
  std::vector<v1::AnalyzeRequest> requests;
  AnalyzeOptions a;
  a.features = {"sentiment"};
  for (int i = 0; i < 20; ++i) requests.push_back(MakeRequest("Paris is nice.", a));
  EXPECT_THROW(c->AnalyzeStream(requests, [](const v1::AnalyzeResponse&) { throw std::runtime_error("stop"); }),
               std::runtime_error);
  // And from the input side.
  int n = 0;
  EXPECT_THROW(c->AnalyzeStream(
                   [&]() -> std::optional<v1::AnalyzeRequest> {
                     if (++n == 3) throw std::logic_error("bad input");
                     return MakeRequest("Paris is nice.", a);
                   },
                   [](const v1::AnalyzeResponse&) { return true; }),
               std::logic_error);
  EXPECT_TRUE(c->Analyze("Still fine in Paris.", a).ok());
}

TEST(StreamTest, LazyInputEarlyStopAndNoReadsAfterReturn) {
  auto c = NewClient();
  AnalyzeOptions a;
  a.features = {"sentiment"};
  std::atomic<long> pulled{0};
  std::atomic<bool> returned{false};
  std::atomic<long> after{0};
  int seen = 0;
  absl::Status s = c->AnalyzeStream(
      [&]() -> std::optional<v1::AnalyzeRequest> {  // unbounded input
        if (returned) ++after;
        ++pulled;
        return MakeRequest("Document about Paris, which is nice.", a);
      },
      [&](const v1::AnalyzeResponse& r) {
        EXPECT_TRUE(DocumentStatus(r).ok());
        return ++seen < 30;
      });
  returned = true;
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(after.load(), 0) << "the input was read after AnalyzeStream returned";
  // The input is unbounded: that responses came at all shows it is read lazily (the flow-control window decides
  // how far ahead).
  std::printf("cpp: %ld requests pulled for 30 responses\n", pulled.load());
}

TEST(StreamTest, NoStreamDeadlineUnlessAsked) {
  ClientOptions o;
  o.timeout = std::chrono::milliseconds(200);  // unary default only
  auto c = NewClient(o);
  AnalyzeOptions a;
  a.features = {"sentiment"};
  auto slow = [&](int* left) {
    return [&a, left]() -> std::optional<v1::AnalyzeRequest> {
      if ((*left)-- == 0) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      return MakeRequest("Paris is nice.", a);
    };
  };
  int left = 3, got = 0;
  EXPECT_TRUE(c->AnalyzeStream(slow(&left), [&](const v1::AnalyzeResponse&) { return ++got > 0; }).ok());
  EXPECT_EQ(got, 3);
  left = 3;
  CallOptions call;
  call.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(c->AnalyzeStream(slow(&left), [](const v1::AnalyzeResponse&) { return true; }, call).code(),
            absl::StatusCode::kDeadlineExceeded);
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Resident memory says nothing under AddressSanitizer, whose quarantine keeps freed memory.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kResidentMemoryMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kResidentMemoryMeaningful = false;
#else
constexpr bool kResidentMemoryMeaningful = true;
#endif
#else
constexpr bool kResidentMemoryMeaningful = true;
#endif

TEST(StreamTest, HundredThousandDocumentsWithBoundedMemory) {
  if (!kResidentMemoryMeaningful) GTEST_SKIP() << "memory bound checked in the plain build (ASan's quarantine keeps freed memory)";
  auto c = NewClient();
  AnalyzeOptions a;
  a.features = {"sentiment"};
  constexpr int kDocs = 100000;
  int next = 0, got = 0;
  long rss_at_10k = 0, peak = 0;
  absl::Status s = c->AnalyzeStream(
      [&]() -> std::optional<v1::AnalyzeRequest> {
        if (next == kDocs) return std::nullopt;
        if (next % 5000 == 0) {
          peak = std::max(peak, RssKb());
          if (next == 10000) rss_at_10k = RssKb();
        }
        return MakeRequest("Doc " + std::to_string(next++) + ": Paris is nice.", a);
      },
      [&](const v1::AnalyzeResponse& r) {
        if (DocumentStatus(r).ok()) ++got;
        return true;
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(got, kDocs);
  peak = std::max(peak, RssKb());
  std::printf("cpp stream of %d documents: RSS %ld MB after 10k, peak %ld MB\n", kDocs, rss_at_10k / 1024,
              peak / 1024);
  EXPECT_LT(peak - rss_at_10k, 64 * 1024) << "client memory grew with the stream";
}

TEST(CallTest, PerCallDeadlineMetadataAndCancellation) {
  ClientOptions o;
  o.timeout = std::chrono::milliseconds(0);
  auto c = NewClient(o);
  AnalyzeOptions a;
  a.features = {"sentiment"};
  CallOptions tight;
  tight.timeout = std::chrono::milliseconds(1);
  EXPECT_EQ(c->Analyze(std::string(kEnglishDoc) + std::string(200000, 'x'), a, tight).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  CallOptions md;
  md.metadata = {{"x-request-id", "abc-123"}};
  EXPECT_TRUE(c->Analyze(kEnglishDoc, a, md).ok());
  CallOptions cancelled;
  cancelled.cancellation = std::make_shared<Cancellation>();
  cancelled.cancellation->Cancel();
  EXPECT_EQ(c->Analyze(kEnglishDoc, a, cancelled).status().code(), absl::StatusCode::kCancelled);
  // Cancel from another thread while a stream is running.
  CallOptions stream_call;
  stream_call.cancellation = std::make_shared<Cancellation>();
  std::atomic<int> seen{0};
  absl::Status s = c->AnalyzeStream(
      [&]() -> std::optional<v1::AnalyzeRequest> { return MakeRequest("Paris is nice.", a); },
      [&](const v1::AnalyzeResponse&) {
        if (++seen == 10) std::thread([cc = stream_call.cancellation] { cc->Cancel(); }).detach();
        return true;
      },
      stream_call);
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
}

TEST(CallTest, AsyncAnalyze) {
  auto c = NewClient();
  AnalyzeOptions a;
  a.features = {"sentiment"};
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  for (int i = 0; i < 8; ++i) {
    c->AnalyzeAsync(MakeRequest("Paris is nice. Berlin is big.", a), [&](absl::StatusOr<v1::AnalyzeResponse> r) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (r.ok() && r->sentences_size() == 2) ++ok;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == 8; }));
  EXPECT_EQ(ok, 8);
}

TEST(ErrorTest, KindsRetryableAndHelpers) {
  EXPECT_TRUE(IsRetryable(absl::UnavailableError("x")));
  EXPECT_FALSE(IsRetryable(absl::DeadlineExceededError("x")));
  EXPECT_EQ(ErrorKindOf(absl::StatusCode::kInvalidArgument), ErrorKind::kInvalidRequest);
  auto c = NewClient();
  AnalyzeOptions a;
  a.features = {"sentiment"};
  auto out = c->AnalyzeBatch({MakeRequest("Paris is nice.", a), MakeRequest("bad \xff", a)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(FailedDocuments(*out).size(), 1u);
  EXPECT_EQ(DocumentsStatus(*out).code(), absl::StatusCode::kInvalidArgument);
  v1::AnalyzeResponse bad;
  bad.add_plugin_runs()->set_plugin("sentiment");
  auto* run = bad.add_plugin_runs();
  run->set_plugin("entity");
  run->set_code(13);
  EXPECT_EQ(FailedPluginRuns(bad).size(), 1u);
  EXPECT_EQ(PluginStatus(bad).code(), absl::StatusCode::kInternal);
}

TEST(ClientTest, PluginAdminWithToken) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/token") << "s3cret\n";
  ServerProcess server;
  std::string error;
  const std::string target = server.Start({"--admin_token_file", dir + "/token"}, &error);
  if (target.empty() && Env("DOCANALYSIS_SERVER", DOCANALYSIS_SERVER_PATH).empty()) GTEST_SKIP() << error;
  ASSERT_FALSE(target.empty()) << error;
  ClientOptions o;
  o.target = target;
  auto c = NewClient(o);
  auto reloaded = c->ReloadPlugins("s3cret");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_TRUE(c->UnloadPlugin("sentiment", "s3cret").ok());
  auto loaded = c->LoadPlugin("sentiment", "s3cret");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->plugin().name(), "sentiment");
  EXPECT_EQ(ErrorKindOf(c->ReloadPlugins("wrong").status().code()), ErrorKind::kAuth);
  std::filesystem::remove_all(dir);
}

// Several addresses, host names among them: the C++ client used to reject the list.
TEST(ClientTest, AddressListWithHostNames) {
  std::string port = g_target.substr(g_target.rfind(':') + 1);
  ClientOptions o;
  o.target = "localhost:" + port + ",127.0.0.1:" + port;
  auto created = Client::Create(o);
  ASSERT_TRUE(created.ok()) << created.status();
  AnalyzeOptions a;
  a.features = {"sentiment"};
  EXPECT_TRUE((*created)->Analyze(kEnglishDoc, a).ok());
}

TEST(ClientTest, MutualTls) {
  const std::string dir = TempDir();
  const std::string script =
      "cd " + dir + " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=ca && "
      "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost && "
      "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 1 -extfile ext.cnf && "
      "openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=client && "
      "openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 1";
  ASSERT_EQ(std::system(("(" + script + ") >/dev/null 2>&1").c_str()), 0) << "openssl failed";
  ServerProcess server;
  std::string error;
  ClientOptions probe;
  probe.root_certs_pem = ReadAll(dir + "/ca.pem");
  probe.client_cert_pem = ReadAll(dir + "/cli.pem");
  probe.client_key_pem = ReadAll(dir + "/cli.key");
  const std::string target = server.Start({"--tls_cert", dir + "/srv.pem", "--tls_key", dir + "/srv.key",
                                           "--tls_client_ca", dir + "/ca.pem"}, &error, probe);
  if (target.empty() && !Env("DOCANALYSIS_TARGET", "").empty() && Env("DOCANALYSIS_SERVER", DOCANALYSIS_SERVER_PATH).empty()) {
    GTEST_SKIP() << "no server binary to start a TLS server: " << error;
  }
  ASSERT_FALSE(target.empty()) << error;
  ClientOptions o = probe;
  o.target = target;
  auto c = NewClient(o);
  EXPECT_TRUE(c->Analyze(kEnglishDoc).ok());
  ClientOptions no_cert;
  no_cert.target = target;
  no_cert.root_certs_pem = probe.root_certs_pem;  // implies TLS
  no_cert.max_attempts = 1;
  no_cert.timeout = std::chrono::seconds(5);
  EXPECT_EQ(NewClient(no_cert)->Analyze(kEnglishDoc).status().code(), absl::StatusCode::kUnavailable);
  if (!std::string(DOCANALYSIS_CLI_PATH).empty()) {
    std::ofstream(dir + "/doc.txt") << kEnglishDoc;
    std::string out, err;
    EXPECT_EQ(RunCli("analyze " + dir + "/doc.txt --target " + target + " --json --tls-ca " + dir + "/ca.pem --tls-cert " +
                     dir + "/cli.pem --tls-key " + dir + "/cli.key", &out, &err), 0) << err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace docanalysis

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new docanalysis::LiveServerEnvironment());
  return RUN_ALL_TESTS();
}
