// The HTTP/JSON edge over a real server on 127.0.0.1:0, called with httplib's client.
#include "service/edge/http_server.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <zlib.h>

#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/testing/plugin_dir.h"

namespace docanalysis {
namespace {

using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

class HttpEdgeTest : public ::testing::Test {
 protected:
  void Start(size_t threads, size_t queued, size_t max_document_bytes = 1 << 20) {
    for (const char* f : {"good", "slow"}) dir_.Add(f);
    PluginRegistryOptions o;
    o.plugin_dir = dir_.path();
    registry_ = std::make_unique<PluginRegistry>(o);
    registry_->Rescan(true);
    AnalysisOptions ao;
    ao.max_document_bytes = max_document_bytes;
    service_ = std::make_unique<AnalysisService>(registry_.get(), ao);
    executor_ = std::make_unique<Executor>(threads, queued);
    metrics_ = *Metrics::Create("");
    HttpServerOptions ho;
    ho.max_batch_body_bytes = 256 << 10;
    http_ = std::make_unique<HttpServer>(service_.get(), executor_.get(), metrics_.get(), 3, ho);
    absl::StatusOr<int> port = http_->Start("127.0.0.1:0");
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    http_->SetServing(true);
  }
  void SetUp() override { Start(2, 16); }
  void TearDown() override {
    http_->Stop();
    executor_->Shutdown();
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30);
    c.set_decompress(false);  // tests look at the bytes on the wire
    return c;
  }

  static std::string Body(const std::string& text, std::vector<std::string> features = {"good"}) {
    nlohmann::json j = {{"document", {{"id", "d1"}, {"content", text}}}, {"features", features}};
    return j.dump();
  }

  static nlohmann::json Error(const httplib::Result& r) {
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.contains("error")) << r->body;
    return j["error"];
  }

  TempPluginDir dir_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<AnalysisService> service_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
};

TEST_F(HttpEdgeTest, AnalyzeAnswersTheProtoJson) {
  auto r = Client().Post("/v1/documents:analyze", Body("Alice is good. Bob is bad."), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  v1::AnalyzeResponse resp;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &resp).ok()) << r->body;
  EXPECT_EQ(resp.document_id(), "d1");
  EXPECT_EQ(resp.sentences_size(), 2);
  ASSERT_EQ(resp.plugin_runs_size(), 1);
  EXPECT_EQ(resp.plugin_runs(0).plugin(), "good");
  // Canonical JSON: lowerCamelCase names, int64 as strings.
  EXPECT_THAT(r->body, HasSubstr("\"documentId\":\"d1\""));
  EXPECT_THAT(r->body, HasSubstr("\"pluginRuns\""));
  EXPECT_THAT(r->body, ::testing::ContainsRegex("\"latencyUs\":\"[0-9]+\""));
}

TEST_F(HttpEdgeTest, ProtoFieldNamesAndEnumNamesAreAccepted) {
  std::string body = R"({"document": {"content": "Alice is good."}, "features": ["good"], "encoding_type": "UTF16",
                         "options": {"good.greeting": "hi"}})";
  auto r = Client().Post("/v1/documents:analyze", body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr("\"value\":\"hi\""));
}

TEST_F(HttpEdgeTest, BadRequestsGetGoogleErrors) {
  auto c = Client();
  auto r = c.Post("/v1/documents:analyze", Body("x", {"no-such-feature"}), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  nlohmann::json e = Error(r);
  EXPECT_EQ(e["code"], 400);
  EXPECT_EQ(e["status"], "INVALID_ARGUMENT");
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("no-such-feature"));

  r = c.Post("/v1/documents:analyze", "{not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(Error(r)["message"].get<std::string>(), HasSubstr("not a valid docanalysis.v1.AnalyzeRequest in JSON"));

  r = c.Post("/v1/documents:analyze", R"({"document": {"content": "x"}, "colour": "red"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << "unknown fields are refused";

  r = c.Get("/v1/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Error(r)["status"], "NOT_FOUND");

  r = c.Get("/v1/documents:analyze");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  EXPECT_EQ(Error(r)["code"], 405);
}

TEST_F(HttpEdgeTest, OverLimitBodiesGet413) {
  // Content-Length over the limit (2 * 1 MiB + 64 KiB): refused without reading the body.
  std::string big = Body(std::string(3 << 20, 'a'));
  auto r = Client().Post("/v1/documents:analyze", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  nlohmann::json e = Error(r);
  EXPECT_EQ(e["code"], 413);
  EXPECT_EQ(e["status"], "RESOURCE_EXHAUSTED");
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("over the limit"));

  // A small gzip body that inflates past the limit: refused as it is read.
  r = Client().Post("/v1/documents:analyze", httplib::Headers{{"Content-Encoding", "gzip"}}, Gzip(big),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  // Chunked (no Content-Length): counted as it arrives.
  size_t sent = 0;
  r = Client().Post(
      "/v1/documents:analyze",
      [&](size_t, httplib::DataSink& sink) {
        if (sent >= big.size()) {
          sink.done();
          return true;
        }
        size_t n = std::min<size_t>(64 << 10, big.size() - sent);
        bool ok = sink.write(big.data() + sent, n);
        sent += n;
        return ok;
      },
      "application/json");
  if (r) EXPECT_EQ(r->status, 413);  // the server may close before the client has sent everything

  // The batch limit is its own (256 KiB here).
  r = Client().Post("/v1/documents:analyzeBatch", std::string(300 << 10, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  // A document under the body limit but over --max_document_bytes: the core's RESOURCE_EXHAUSTED, as 413.
  r = Client().Post("/v1/documents:analyze", Body(std::string((1 << 20) + 10, 'a')), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Error(r)["status"], "RESOURCE_EXHAUSTED");
  EXPECT_THAT(Error(r)["message"].get<std::string>(), HasSubstr("max_document_bytes"));
}

TEST_F(HttpEdgeTest, GzipRequestAndResponse) {
  auto r = Client().Post("/v1/documents:analyze",
                         httplib::Headers{{"Content-Encoding", "gzip"}, {"Accept-Encoding", "gzip"}},
                         Gzip(Body("Alice is good.")), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  v1::AnalyzeResponse resp;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Gunzip(r->body), &resp).ok());
  EXPECT_EQ(resp.document_id(), "d1");
}

TEST_F(HttpEdgeTest, DeadlineHeaders) {
  const absl::Time start = absl::Now();
  auto r = Client().Post("/v1/documents:analyze", httplib::Headers{{"grpc-timeout", "100m"}},
                         Body("x", {"slow"}), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_EQ(Error(r)["status"], "DEADLINE_EXCEEDED");
  EXPECT_LT(absl::Now() - start, absl::Seconds(3)) << "the slow plugin was not stopped at the deadline";

  r = Client().Post("/v1/documents:analyze", httplib::Headers{{"X-Request-Timeout", "0.1"}}, Body("x", {"slow"}),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);

  r = Client().Post("/v1/documents:analyze", httplib::Headers{{"X-Request-Timeout", "soon"}}, Body("x"),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(Error(r)["message"].get<std::string>(), HasSubstr("X-Request-Timeout"));
}

TEST(HttpTimeouts, Parse) {
  EXPECT_EQ(*ParseGrpcTimeout("500m"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseGrpcTimeout("2S"), absl::Seconds(2));
  EXPECT_EQ(*ParseGrpcTimeout("1H"), absl::Hours(1));
  EXPECT_EQ(*ParseGrpcTimeout("10u"), absl::Microseconds(10));
  EXPECT_EQ(ParseGrpcTimeout("5x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGrpcTimeout("123456789S").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGrpcTimeout("m").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseRequestTimeout("2.5"), absl::Milliseconds(2500));
  EXPECT_EQ(*ParseRequestTimeout("1500ms"), absl::Milliseconds(1500));
  EXPECT_EQ(ParseRequestTimeout("-1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestTimeout("inf").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpErrors, CodeMappingFollowsGoogleApis) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnknown), 500);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDeadlineExceeded), 504);
  nlohmann::json j = nlohmann::json::parse(GoogleErrorJson(400, absl::StatusCode::kInvalidArgument, "bad \"x\""));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"error": {"code": 400, "message": "bad \"x\"", "status": "INVALID_ARGUMENT"}})"));
}

TEST_F(HttpEdgeTest, BatchPluginsAndHealth) {
  auto c = Client();
  std::string batch = R"({"requests": [{"document": {"id": "a", "content": "Alice is good."}, "features": ["good"]},
                                        {"document": {"id": "b", "content": "x"}, "features": ["nope"]}]})";
  auto r = c.Post("/v1/documents:analyzeBatch", batch, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  v1::AnalyzeBatchResponse resp;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &resp).ok());
  ASSERT_EQ(resp.responses_size(), 2);
  EXPECT_EQ(resp.responses(0).document_id(), "a");
  EXPECT_EQ(resp.responses(1).error().code(), static_cast<int>(absl::StatusCode::kInvalidArgument));

  std::string four = R"({"requests": [{}, {}, {}, {}]})";
  r = c.Post("/v1/documents:analyzeBatch", four, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(Error(r)["message"].get<std::string>(), HasSubstr("max_batch_documents"));

  r = c.Get("/v1/plugins");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  v1::ListPluginsResponse plugins;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &plugins).ok());
  EXPECT_EQ(plugins.plugins_size(), 2);

  r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  http_->SetServing(false);
  r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Error(r)["status"], "UNAVAILABLE");
  r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "liveness does not depend on readiness";
}

TEST_F(HttpEdgeTest, ServesThePage) {
  auto r = Client().Get("/");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(r->body, HasSubstr("<textarea"));
  EXPECT_THAT(r->body, HasSubstr("/v1/documents:analyze"));
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
  // Nothing on the page points anywhere but this server.
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("http://")));
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("https://")));
}

// HTTPS with the gRPC edge's certificate, and mTLS with its client CA. The certificate is made here with
// the openssl command (one self-signed certificate serves as server certificate, CA and client certificate).
TEST_F(HttpEdgeTest, TlsAndMutualTls) {
  const std::string dir = dir_.path();
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl is needed to make a test certificate";
  for (bool mutual : {false, true}) {
    HttpServerOptions o;
    o.tls_cert_file = cert;
    o.tls_key_file = key;
    if (mutual) o.tls_client_ca_file = cert;
    HttpServer https(service_.get(), executor_.get(), metrics_.get(), 3, o);
    absl::StatusOr<int> port = https.Start("127.0.0.1:0");
    ASSERT_TRUE(port.ok()) << port.status();
    https.SetServing(true);

    httplib::SSLClient verified = mutual ? httplib::SSLClient("127.0.0.1", *port, cert, key)
                                         : httplib::SSLClient("127.0.0.1", *port);
    verified.set_ca_cert_path(cert.c_str());
    verified.enable_server_certificate_verification(true);
    auto r = verified.Post("/v1/documents:analyze", Body("Alice is good."), "application/json");
    ASSERT_TRUE(r) << "mutual=" << mutual << " error " << static_cast<int>(r.error());
    EXPECT_EQ(r->status, 200);

    EXPECT_FALSE(httplib::Client("127.0.0.1", *port).Get("/healthz")) << "plain HTTP on the HTTPS port";
    if (mutual) {
      httplib::SSLClient anonymous("127.0.0.1", *port);
      anonymous.set_ca_cert_path(cert.c_str());
      anonymous.enable_server_certificate_verification(true);
      EXPECT_FALSE(anonymous.Get("/healthz")) << "a client without a certificate got in";
    }
    https.Stop();
  }
  HttpServerOptions missing;
  missing.tls_cert_file = dir + "/nope.pem";
  missing.tls_key_file = key;
  HttpServer broken(service_.get(), executor_.get(), metrics_.get(), 3, missing);
  EXPECT_EQ(broken.Start("127.0.0.1:0").status().code(), absl::StatusCode::kFailedPrecondition);
}

class HttpBusyTest : public HttpEdgeTest {
 protected:
  void SetUp() override { Start(1, 0); }
};

TEST_F(HttpBusyTest, FullExecutorAnswers429AtOnce) {
  // One worker, no queue: a slow request holds it (the slow fixture stops at its 200 ms budget), the next is
  // refused at once.
  auto slow = std::async(std::launch::async, [this] {
    return Client().Post("/v1/documents:analyze", Body("x", {"slow"}), "application/json");
  });
  absl::SleepFor(absl::Milliseconds(60));
  const absl::Time start = absl::Now();
  auto r = Client().Post("/v1/documents:analyze", Body("Alice is good."), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(Error(r)["status"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(120));
  auto s = slow.get();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 200) << s->body;
}

TEST_F(HttpEdgeTest, StopWaitsForRequestsInFlight) {
  auto slow = std::async(std::launch::async, [this] {
    return Client().Post("/v1/documents:analyze", Body("x", {"slow"}), "application/json");
  });
  absl::SleepFor(absl::Milliseconds(60));
  const absl::Time start = absl::Now();
  http_->Stop();
  EXPECT_GT(absl::Now() - start, absl::Milliseconds(50)) << "Stop did not wait for the slow request";
  auto r = slow.get();
  ASSERT_TRUE(r) << "the request in flight was cut off";
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr("\"plugin\":\"slow\""));
  EXPECT_FALSE(Client().Get("/healthz")) << "still accepting after Stop";
}

}  // namespace
}  // namespace docanalysis
