// End-to-end tests: the real server binary, real plugin folders, the generated C++ client.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "docanalysis/v1/docanalysis.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/testing/plugin_dir.h"
#include "tests/e2e/server_process.h"

namespace docanalysis {
namespace {

namespace fs = std::filesystem;
using ::docanalysis::testing::ServerProcess;
using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  auto ch = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  ch->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ch;
}

v1::AnalyzeRequest Request(const std::string& text, std::vector<std::string> features = {}, const std::string& id = "") {
  v1::AnalyzeRequest r;
  r.mutable_document()->set_id(id);
  r.mutable_document()->set_content(text);
  for (auto& f : features) r.add_features(f);
  return r;
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 30) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return c;
}

// The built-in plugins that this build staged, plus fixture `good`.
void FillWithBuiltins(const TempPluginDir& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(DOCANALYSIS_BUILTIN_PLUGIN_DIR, ec))
    if (e.is_directory() && fs::exists(e.path() / "plugin.json")) dir.AddFrom(e.path().string(), e.path().filename().string());
  dir.Add("good");
}

std::string Sample() {
  std::ifstream in(std::string(DOCANALYSIS_SHARED_DIR) + "/samples/000_ac263380b61652b0.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServerE2E, EveryRpcThroughTheGeneratedClient) {
  TempPluginDir dir;
  FillWithBuiltins(dir);
  ServerProcess server(dir.path());
  ASSERT_FALSE(server.target().empty()) << "server did not start";
  auto channel = Connect(server.target());
  auto stub = v1::DocumentAnalysis::NewStub(channel);

  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse hr;
  ASSERT_TRUE(health->Check(Ctx().get(), grpc::health::v1::HealthCheckRequest(), &hr).ok());
  EXPECT_EQ(hr.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  v1::ListPluginsResponse plugins;
  ASSERT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &plugins).ok());
  ASSERT_GE(plugins.plugins_size(), 1);
  for (const auto& p : plugins.plugins()) EXPECT_EQ(p.state(), v1::PluginInfo::LOADED) << p.name() << p.last_error();

  std::string sample = Sample();
  ASSERT_FALSE(sample.empty());
  v1::AnalyzeResponse resp;
  grpc::Status s = stub->Analyze(Ctx().get(), Request(sample, {}, "sample"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.document_id(), "sample");
  int defaults = 0;  // a request without features runs the default plugins (syntax is on request only)
  for (const auto& p : plugins.plugins()) defaults += p.default_enabled();
  EXPECT_EQ(resp.plugin_runs_size(), defaults);
  for (const auto& run : resp.plugin_runs()) EXPECT_EQ(run.code(), 0) << run.plugin() << ": " << run.message();
  EXPECT_GT(resp.sentences_size(), 10);

  v1::AnalyzeBatchRequest batch;
  *batch.add_requests() = Request("First document.", {"good"}, "a");
  *batch.add_requests() = Request("Second document.", {"good"}, "b");
  v1::AnalyzeBatchResponse br;
  ASSERT_TRUE(stub->AnalyzeBatch(Ctx().get(), batch, &br).ok());
  ASSERT_EQ(br.responses_size(), 2);
  EXPECT_EQ(br.responses(1).document_id(), "b");

  auto ctx = Ctx();
  auto stream = stub->AnalyzeStream(ctx.get());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(stream->Write(Request("Doc " + std::to_string(i) + ".", {"good"}, std::to_string(i))));
  stream->WritesDone();
  int n = 0;
  while (stream->Read(&resp)) EXPECT_EQ(resp.document_id(), std::to_string(n++));
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(n, 5);

  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(ServerE2E, BadInputGetsTheRightCodeAndTheServerGoesOn) {
  TempPluginDir dir;
  dir.Add("good");
  ServerProcess server(dir.path(), {"--max_document_bytes=1000"});
  ASSERT_FALSE(server.target().empty());
  auto channel = Connect(server.target());
  auto stub = v1::DocumentAnalysis::NewStub(channel);
  v1::AnalyzeResponse resp;

  v1::AnalyzeRequest raw;
  raw.mutable_document()->set_raw_content("good text \xff\xfe then");
  grpc::Status s = stub->Analyze(Ctx().get(), raw, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("byte offset 10"));

  // A hand-made message whose `content` string carries invalid UTF-8: take a Document with
  // raw_content (field 5, bytes) and retag the field as content (field 2, string).
  v1::Document doc;
  doc.set_raw_content("AA\xff\xfe\xfd" "AAA");
  std::string doc_bytes = doc.SerializeAsString();
  ASSERT_EQ(static_cast<unsigned char>(doc_bytes[0]), 0x2A);
  doc_bytes[0] = 0x12;
  std::string req_bytes = std::string("\x0A", 1) + static_cast<char>(doc_bytes.size()) + doc_bytes;
  grpc::GenericStub generic(channel);
  grpc::ByteBuffer out;
  grpc::Slice slice(req_bytes);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ClientContext gctx;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status gs;
  generic.UnaryCall(&gctx, "/docanalysis.v1.DocumentAnalysis/Analyze", grpc::StubOptions(), &in, &out,
                    [&](grpc::Status st) {
                      std::lock_guard<std::mutex> l(mu);
                      gs = st;
                      done = true;
                      cv.notify_all();
                    });
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return done; }));
  }
  EXPECT_THAT(gs.error_code(), ::testing::AnyOf(grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::INTERNAL))
      << gs.error_message();

  s = stub->Analyze(Ctx().get(), Request(std::string(1001, 'x')), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("1000"));
  s = stub->Analyze(Ctx().get(), Request("Text.", {"no-such-feature"}), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("known features: good"));
  s = stub->Analyze(Ctx().get(), Request(""), &resp);
  EXPECT_TRUE(s.ok());
  s = stub->Analyze(Ctx().get(), Request("Still here."), &resp);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(server.Stop(), 0);
}

// Plugins copied in, replaced and removed while requests keep coming: none may fail.
TEST(ServerE2E, HotAddReplaceRemoveUnderLoad) {
  TempPluginDir dir;
  dir.Add("good");
  ServerProcess server(dir.path(), {"--watch_interval_ms=100", "--plugin_removal_grace_ms=300"});
  ASSERT_FALSE(server.target().empty());
  auto channel = Connect(server.target());
  auto stub = v1::DocumentAnalysis::NewStub(channel);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::string first_error;
  std::mutex err_mu;
  std::vector<std::thread> load;
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&] {
      auto local = v1::DocumentAnalysis::NewStub(channel);
      while (!stop) {
        v1::AnalyzeResponse r;
        grpc::Status s = local->Analyze(Ctx(10).get(), Request("Alice met Bob in Paris. It was good."), &r);
        bool all_ok = s.ok();
        for (const auto& run : r.plugin_runs()) all_ok &= run.code() == 0;
        if (all_ok) ++ok;
        else {
          ++failed;
          std::lock_guard<std::mutex> l(err_mu);
          if (first_error.empty()) first_error = s.ok() ? r.DebugString() : s.error_message();
        }
      }
    });
  }
  auto wait_for = [&](auto pred) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
  };
  auto echo_version = [&]() -> std::string {
    v1::ListPluginsResponse lp;
    if (!stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &lp).ok()) return "error";
    for (const auto& p : lp.plugins())
      if (p.name() == "echo" && p.state() == v1::PluginInfo::LOADED) return p.version();
    return "";
  };
  auto analyze_echo_version = [&]() -> std::string {
    v1::AnalyzeResponse r;
    if (!stub->Analyze(Ctx().get(), Request("Hello there."), &r).ok()) return "error";
    for (const auto& run : r.plugin_runs())
      if (run.plugin() == "echo") return run.version();
    return "";
  };

  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  dir.Add("echo");
  EXPECT_TRUE(wait_for([&] { return echo_version() == "1.0.0"; })) << "echo not listed within 2 s";
  EXPECT_EQ(analyze_echo_version(), "1.0.0");

  // Replace the plugin in place with its next build (library first, manifest last).
  dir.AddFrom(TempPluginDir::FixtureDir() + "/echo_v2", "echo");
  EXPECT_TRUE(wait_for([&] { return echo_version() == "2.0.0"; })) << "echo 2.0.0 not live within 2 s";
  EXPECT_EQ(analyze_echo_version(), "2.0.0");

  dir.Remove("echo");
  EXPECT_TRUE(wait_for([&] { return echo_version().empty(); })) << "echo not gone within 2 s";
  EXPECT_EQ(analyze_echo_version(), "");

  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(failed.load(), 0) << first_error;
  EXPECT_GT(ok.load(), 10);
  std::printf("hot reload under load: %d requests OK, %d failed\n", ok.load(), failed.load());
  EXPECT_EQ(server.Stop(), 0);
}

// With folder watching off, a plugin copied in appears only on SIGHUP.
TEST(ServerE2E, SighupReloadsPlugins) {
  TempPluginDir dir;
  dir.Add("good");
  ServerProcess server(dir.path(), {"--watch_interval_ms=0"});
  ASSERT_FALSE(server.target().empty());
  auto stub = v1::DocumentAnalysis::NewStub(Connect(server.target()));
  auto count = [&] {
    v1::ListPluginsResponse lp;
    EXPECT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &lp).ok());
    return lp.plugins_size();
  };
  dir.Add("echo");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(count(), 1);  // not watched: still one plugin
  kill(server.pid(), SIGHUP);
  int n = 0;
  for (int i = 0; i < 100 && (n = count()) != 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(n, 2);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServerE2E, SigtermFinishesInFlightWorkThenExitsZero) {
  TempPluginDir dir;
  dir.Add("slow");
  ServerProcess server(dir.path(), {"--plugin_timeout_ms=1500"});
  ASSERT_FALSE(server.target().empty());
  auto channel = Connect(server.target());
  auto stub = v1::DocumentAnalysis::NewStub(channel);
  grpc::Status status;
  v1::AnalyzeResponse resp;
  std::thread inflight([&] { status = stub->Analyze(Ctx().get(), Request("Slow."), &resp); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the call is in the plugin by now
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  inflight.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(resp.plugin_runs_size(), 1);
  EXPECT_GE(resp.plugin_runs(0).latency_us(), 1'000'000);  // it ran to its budget, not cut short
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// The example third-party plugin, dropped into a running server, answers with its options.
TEST(ServerE2E, ExampleThirdPartyPluginDroppedIn) {
  TempPluginDir dir;
  dir.Add("good");
  ServerProcess server(dir.path(), {"--watch_interval_ms=100", "--plugin_removal_grace_ms=300"});
  ASSERT_FALSE(server.target().empty());
  auto stub = v1::DocumentAnalysis::NewStub(Connect(server.target()));
  dir.Add("keywords");
  v1::AnalyzeRequest req = Request("U.S. troops leave Niger; the troops go home.", {"keywords"});
  (*req.mutable_options())["keywords.terms"] = "troops, niger";
  v1::AnalyzeResponse resp;
  grpc::Status s;
  for (int i = 0; i < 40; ++i) {
    resp.Clear();
    s = stub->Analyze(Ctx().get(), req, &resp);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.annotations_size(), 3);
  EXPECT_EQ(resp.annotations(0).plugin(), "keywords");
  EXPECT_EQ(resp.annotations(0).text().content(), "troops");
  EXPECT_EQ(resp.annotations(1).attributes().at("term"), "niger");
  ASSERT_EQ(resp.labels_size(), 1);
  EXPECT_EQ(resp.labels(0).value(), "3");
  // Not a default plugin: a request without features does not run it.
  ASSERT_TRUE(stub->Analyze(Ctx().get(), Request("troops"), &resp).ok());
  for (const auto& run : resp.plugin_runs()) EXPECT_NE(run.plugin(), "keywords");
  EXPECT_EQ(server.Stop(), 0);
}

// Minimal HTTP GET on loopback, for the Prometheus endpoint.
std::string HttpGet(const std::string& host_port, const std::string& path) {
  std::string host = host_port.substr(0, host_port.rfind(':'));
  int port = std::stoi(host_port.substr(host_port.rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  if (write(fd, req.data(), req.size()) < 0) {
    close(fd);
    return "";
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(ServerE2E, PrometheusMetrics) {
  TempPluginDir dir;
  dir.Add("good");
  dir.Add("errors");
  ServerProcess server(dir.path(), {"--metrics_listen=127.0.0.1:0"});
  ASSERT_FALSE(server.target().empty());
  ASSERT_EQ(server.preamble().size(), 1u);
  ASSERT_EQ(server.preamble()[0].rfind("metrics on ", 0), 0u);
  std::string metrics_at = server.preamble()[0].substr(11);
  auto stub = v1::DocumentAnalysis::NewStub(Connect(server.target()));
  v1::AnalyzeResponse resp;
  ASSERT_TRUE(stub->Analyze(Ctx().get(), Request("Alice."), &resp).ok());
  std::string body = HttpGet(metrics_at, "/metrics");
  EXPECT_THAT(body, HasSubstr("docanalysis_requests_total{code=\"0\",method=\"Analyze\"} 1"));
  EXPECT_THAT(body, HasSubstr("docanalysis_plugin_errors_total{code=\"3\",plugin=\"errors\"} 1"));
  EXPECT_THAT(body, HasSubstr("docanalysis_plugins_loaded 2"));
  EXPECT_THAT(body, HasSubstr("docanalysis_plugin_duration_seconds_count{plugin=\"good\"} 1"));
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServerE2E, AdminIsOffUnlessConfigured) {
  TempPluginDir dir;
  dir.Add("good");
  {
    ServerProcess server(dir.path());
    auto admin = v1::PluginAdmin::NewStub(Connect(server.target()));
    v1::ReloadPluginsResponse r;
    EXPECT_EQ(admin->ReloadPlugins(Ctx().get(), v1::ReloadPluginsRequest(), &r).error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(server.Stop(), 0);
  }
  std::string token_file = dir.path() + "/../token-" + std::to_string(getpid());
  std::ofstream(token_file) << "t0ken\n";
  ServerProcess server(dir.path(), {"--admin_token_file=" + token_file});
  auto admin = v1::PluginAdmin::NewStub(Connect(server.target()));
  v1::ReloadPluginsResponse r;
  EXPECT_EQ(admin->ReloadPlugins(Ctx().get(), v1::ReloadPluginsRequest(), &r).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto ctx = Ctx();
  ctx->AddMetadata("authorization", "Bearer t0ken");
  EXPECT_TRUE(admin->ReloadPlugins(ctx.get(), v1::ReloadPluginsRequest(), &r).ok());
  EXPECT_EQ(r.plugins_size(), 1);
  EXPECT_EQ(server.Stop(), 0);
  fs::remove(token_file);
}

// The syntax feature end to end: UD words (don't -> do + n't) with spans in the caller's encoding,
// one tree per sentence whose root points at itself.
TEST(ServerE2E, SyntaxTokensThroughAnalyze) {
  if (!fs::exists(fs::path(DOCANALYSIS_BUILTIN_PLUGIN_DIR) / "syntax" / "plugin.json")) GTEST_SKIP() << "syntax not built";
  TempPluginDir dir;
  FillWithBuiltins(dir);
  ServerProcess server(dir.path());
  auto stub = v1::DocumentAnalysis::NewStub(Connect(server.target()));
  const std::string text = "Zo\xC3\xAB doesn't like cats. She has two dogs.";  // UTF-16 offsets differ from bytes
  v1::AnalyzeRequest req = Request(text, {"syntax"}, "s");
  req.set_encoding_type(v1::UTF16);
  v1::AnalyzeResponse resp;
  grpc::Status s = stub->Analyze(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.plugin_runs_size(), 1);
  EXPECT_EQ(resp.plugin_runs(0).plugin(), "syntax");
  EXPECT_EQ(resp.plugin_runs(0).code(), 0) << resp.plugin_runs(0).message();
  std::vector<std::string> words;
  int roots = 0;
  for (int i = 0; i < resp.tokens_size(); ++i) {
    const v1::Token& t = resp.tokens(i);
    words.push_back(t.text().content());
    ASSERT_GE(t.dependency_edge().head_token_index(), 0);
    ASSERT_LT(t.dependency_edge().head_token_index(), resp.tokens_size());
    roots += t.dependency_edge().head_token_index() == i;
    EXPECT_FALSE(t.part_of_speech().tag().empty());
    EXPECT_FALSE(t.dependency_edge().label().empty());
  }
  EXPECT_EQ(words, (std::vector<std::string>{"Zo\xC3\xAB", "does", "n't", "like", "cats", ".", "She", "has", "two",
                                             "dogs", "."}));
  EXPECT_EQ(roots, 2);
  // UTF-16 offsets: "does" starts at code unit 4 (Z o \u00EB space).
  EXPECT_EQ(resp.tokens(1).text().begin_offset(), 4);
  EXPECT_EQ(resp.tokens(2).text().begin_offset(), 8);
  EXPECT_EQ(resp.tokens(2).text().end_offset(), 11);
  EXPECT_EQ(resp.tokens(4).lemma(), "cat");
  EXPECT_EQ(resp.tokens(4).part_of_speech().tag(), "NOUN");
  EXPECT_EQ(resp.tokens(4).part_of_speech().features(), "Number=Plur");
  EXPECT_EQ(resp.tokens(2).lemma(), "not");

  // With entities too, each mention carries the head word of its span.
  v1::AnalyzeResponse both;
  ASSERT_TRUE(stub->Analyze(Ctx().get(), Request("Yesterday the company Acme Industries hired John Smith.",
                                                 {"syntax", "entities"}, "e"), &both).ok());
  int mentions = 0;
  for (const auto& e : both.entities()) {
    for (const auto& m : e.mentions()) {
      ++mentions;
      ASSERT_TRUE(m.has_head_token_index()) << e.name();
      const v1::Token& head = both.tokens(m.head_token_index());
      EXPECT_GE(head.text().begin_offset(), m.text().begin_offset()) << e.name();
      EXPECT_LE(head.text().end_offset(), m.text().end_offset()) << e.name();
      if (e.name() == "John Smith") EXPECT_EQ(head.text().content(), "John");  // UD: flat names head on the first word
    }
  }
  EXPECT_GT(mentions, 0);
  EXPECT_EQ(server.Stop(), 0);
}

// The HTTP/JSON edge answers exactly what gRPC answers (canonical JSON of the same message), and both edges
// count in the same metrics.
TEST(ServerE2E, HttpJsonMatchesGrpc) {
  TempPluginDir dir;
  FillWithBuiltins(dir);
  ServerProcess server(dir.path(), {"--http_listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0"});
  ASSERT_FALSE(server.target().empty());
  std::string http_at, metrics_at;
  for (const std::string& line : server.preamble()) {
    if (line.rfind("http on ", 0) == 0) http_at = line.substr(8);
    if (line.rfind("metrics on ", 0) == 0) metrics_at = line.substr(11);
  }
  ASSERT_FALSE(http_at.empty()) << "no 'http on HOST:PORT' line";
  const size_t colon = http_at.rfind(':');
  httplib::Client http(http_at.substr(0, colon), std::stoi(http_at.substr(colon + 1)));
  http.set_read_timeout(60);

  v1::AnalyzeRequest request = Request(Sample(), {"entities", "sentiment", "summary"}, "sample");
  request.set_encoding_type(v1::UTF16);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(request, &json).ok());
  auto r = http.Post("/v1/documents:analyze", json, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  v1::AnalyzeResponse from_http;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &from_http).ok());

  auto stub = v1::DocumentAnalysis::NewStub(Connect(server.target()));
  v1::AnalyzeResponse from_grpc;
  ASSERT_TRUE(stub->Analyze(Ctx().get(), request, &from_grpc).ok());
  for (auto* resp : {&from_http, &from_grpc})
    for (auto& run : *resp->mutable_plugin_runs()) run.clear_latency_us();
  EXPECT_GT(from_grpc.entities_size(), 5);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_http, from_grpc))
      << "HTTP:\n" << from_http.ShortDebugString().substr(0, 2000) << "\ngRPC:\n"
      << from_grpc.ShortDebugString().substr(0, 2000);

  // A bad request: the same code and message on both edges.
  v1::AnalyzeRequest bad = Request("x", {"no-such-feature"});
  json.clear();  // MessageToJsonString appends
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(bad, &json).ok());
  r = http.Post("/v1/documents:analyze", json, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  v1::AnalyzeResponse ignored;
  grpc::Status s = stub->Analyze(Ctx().get(), bad, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r->body, HasSubstr("\"status\":\"INVALID_ARGUMENT\""));
  std::string quoted;
  v1::Status as_proto;
  as_proto.set_message(s.error_message());
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(as_proto, &quoted).ok());
  EXPECT_THAT(r->body, HasSubstr(quoted.substr(1, quoted.size() - 2))) << "the HTTP message differs from gRPC's";

  // One set of metrics: both successful calls are counted under Analyze.
  std::string body = HttpGet(metrics_at, "/metrics");
  EXPECT_THAT(body, HasSubstr("docanalysis_requests_total{code=\"0\",method=\"Analyze\"} 2"));
  EXPECT_THAT(body, HasSubstr("docanalysis_requests_total{code=\"3\",method=\"Analyze\"} 2"));
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace docanalysis
