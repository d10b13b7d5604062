// The gRPC edge over a real in-process server on 127.0.0.1:0.
#include "service/edge/analysis_grpc.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/edge/dispatcher.h"
#include "service/testing/plugin_dir.h"

namespace docanalysis {
namespace {

using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

class EdgeTest : public ::testing::Test {
 protected:
  void Start(size_t threads, size_t queued) {
    for (const char* f : {"good", "slow"}) dir_.Add(f);
    PluginRegistryOptions o;
    o.plugin_dir = dir_.path();
    registry_ = std::make_unique<PluginRegistry>(o);
    registry_->Rescan(true);
    service_ = std::make_unique<AnalysisService>(registry_.get(), AnalysisOptions{});
    executor_ = std::make_unique<Executor>(threads, queued);
    metrics_ = *Metrics::Create("");
    analysis_ = std::make_unique<DocumentAnalysisGrpc>(service_.get(), executor_.get(), metrics_.get(), 10);
    admin_ = std::make_unique<PluginAdminGrpc>(registry_.get(), "s3cret");
    grpc::ServerBuilder b;
    int port = 0;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(analysis_.get());
    b.RegisterService(admin_.get());
    server_ = b.BuildAndStart();
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub_ = v1::DocumentAnalysis::NewStub(channel_);
  }
  void SetUp() override { Start(2, 16); }
  void TearDown() override {
    server_->Shutdown();
    executor_->Shutdown();
  }

  static v1::AnalyzeRequest Request(const std::string& text, const std::string& id = "d",
                                    std::vector<std::string> features = {"good"}) {
    v1::AnalyzeRequest r;
    r.mutable_document()->set_id(id);
    r.mutable_document()->set_content(text);
    for (auto& f : features) r.add_features(f);
    return r;
  }

  TempPluginDir dir_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<AnalysisService> service_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<DocumentAnalysisGrpc> analysis_;
  std::unique_ptr<PluginAdminGrpc> admin_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DocumentAnalysis::Stub> stub_;
};

// A small document whose plugins all run in process is analysed on the thread that hands it to the
// dispatcher when a worker is idle (its answer is ready when Analyze returns); a larger one, or any
// document with --inline_max_bytes=-1, goes to a worker.
TEST_F(EdgeTest, SmallDocumentsRunOnTheReceivingThread) {
  auto run = [](Dispatcher& d, const std::string& text) {
    auto ran_on = std::make_shared<std::promise<std::thread::id>>();
    std::future<std::thread::id> where = ran_on->get_future();
    absl::Status queued = d.Analyze("Analyze", std::make_shared<v1::AnalyzeRequest>(Request(text)), RequestContext{},
                                    absl::Now(), text.size(), [ran_on](absl::StatusOr<v1::AnalyzeResponse> r) {
                                      EXPECT_TRUE(r.ok()) << r.status();
                                      if (r.ok()) EXPECT_EQ(r->entities_size(), 1);
                                      ran_on->set_value(std::this_thread::get_id());
                                    });
    EXPECT_TRUE(queued.ok()) << queued;
    const bool ready_on_return = where.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    return std::make_pair(ready_on_return, where.get());
  };
  const std::string small = "Alice is good.", large = std::string(300, 'x') + " Alice is good.";
  Dispatcher d(service_.get(), executor_.get(), metrics_.get(), 10);
  auto [small_ready, small_thread] = run(d, small);
  EXPECT_TRUE(small_ready);
  EXPECT_EQ(small_thread, std::this_thread::get_id());
  auto [large_ready, large_thread] = run(d, large);
  EXPECT_NE(large_thread, std::this_thread::get_id());

  AnalysisOptions off;
  off.inline_max_bytes = -1;
  AnalysisService never(registry_.get(), off);
  Dispatcher handed_off(&never, executor_.get(), metrics_.get(), 10);
  auto [off_ready, off_thread] = run(handed_off, small);
  EXPECT_NE(off_thread, std::this_thread::get_id());
}

TEST_F(EdgeTest, AnalyzeAndStatusCodes) {
  grpc::ClientContext ctx;
  v1::AnalyzeResponse resp;
  grpc::Status s = stub_->Analyze(&ctx, Request("Alice is good."), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.document_id(), "d");
  EXPECT_EQ(resp.entities_size(), 1);

  grpc::ClientContext ctx2;
  s = stub_->Analyze(&ctx2, Request("x", "d", {"nope"}), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("known features: good, slow"));
}

TEST_F(EdgeTest, DeadlineExceededStopsSlowWork) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  v1::AnalyzeResponse resp;
  grpc::Status s = stub_->Analyze(&ctx, Request("Hi.", "d", {"slow"}), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(EdgeTest, BatchKeepsOrderAndPerDocumentErrors) {
  v1::AnalyzeBatchRequest req;
  *req.add_requests() = Request("Alice.", "a");
  *req.add_requests() = Request("x", "b", {"nope"});
  v1::AnalyzeRequest bad = Request("", "c");
  bad.mutable_document()->set_raw_content("\xff");
  *req.add_requests() = bad;
  *req.add_requests() = Request("Bob.", "d");
  grpc::ClientContext ctx;
  v1::AnalyzeBatchResponse resp;
  ASSERT_TRUE(stub_->AnalyzeBatch(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.responses_size(), 4);
  EXPECT_EQ(resp.responses(0).document_id(), "a");
  EXPECT_EQ(resp.responses(0).error().code(), 0);
  EXPECT_EQ(resp.responses(0).entities(0).name(), "Alice");
  EXPECT_EQ(resp.responses(1).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(resp.responses(2).document_id(), "c");
  EXPECT_THAT(resp.responses(2).error().message(), HasSubstr("byte offset 0"));
  EXPECT_EQ(resp.responses(3).entities(0).name(), "Bob");

  v1::AnalyzeBatchRequest big;
  for (int i = 0; i < 11; ++i) *big.add_requests() = Request("x");
  grpc::ClientContext ctx2;
  EXPECT_EQ(stub_->AnalyzeBatch(&ctx2, big, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EdgeTest, StreamAnswersEachDocumentInOrder) {
  grpc::ClientContext ctx;
  auto stream = stub_->AnalyzeStream(&ctx);
  std::vector<std::string> ids = {"s1", "s2", "s3", "s4"};
  std::thread writer([&] {
    for (const auto& id : ids) {
      v1::AnalyzeRequest r = Request(id == "s3" ? "x" : "Carol sings.", id, {id == "s3" ? "nope" : "good"});
      stream->Write(r);
    }
    stream->WritesDone();
  });
  v1::AnalyzeResponse resp;
  std::vector<std::string> got;
  while (stream->Read(&resp)) {
    got.push_back(resp.document_id());
    if (resp.document_id() == "s3") EXPECT_EQ(resp.error().code(), grpc::StatusCode::INVALID_ARGUMENT);
    else EXPECT_EQ(resp.entities(0).name(), "Carol");
  }
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(got, ids);
}

TEST_F(EdgeTest, StreamAnswersAnUnparsableMessageAndGoesOn) {
  // A request whose `content` carries invalid UTF-8, made by retagging a raw_content field.
  v1::Document doc;
  doc.set_raw_content("AA\xff\xfe" "AA");
  std::string doc_bytes = doc.SerializeAsString();
  doc_bytes[0] = 0x12;  // field 5 (bytes) -> field 2 (string)
  std::string bad = std::string("\x0A", 1) + static_cast<char>(doc_bytes.size()) + doc_bytes;
  std::string good = Request("Dave.", "g").SerializeAsString();
  grpc::GenericStub generic(channel_);
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  auto call = generic.PrepareCall(&ctx, "/docanalysis.v1.DocumentAnalysis/AnalyzeStream", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<std::string> answers;
  for (const std::string& msg : {good, bad, good}) {
    grpc::Slice slice(msg);
    grpc::ByteBuffer out(&slice, 1);
    call->Write(out, reinterpret_cast<void*>(2));
    ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
    grpc::ByteBuffer in;
    call->Read(&in, reinterpret_cast<void*>(3));
    ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(in.Dump(&slices).ok());
    std::string bytes;
    for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    v1::AnalyzeResponse r;
    ASSERT_TRUE(r.ParseFromString(bytes));
    answers.push_back(r.error().code() == 0 ? r.entities(0).name() : "error " + std::to_string(r.error().code()) + " " + r.error().message());
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0], "Dave");
  EXPECT_THAT(answers[1], HasSubstr("error 3 the request is not a valid docanalysis.v1.AnalyzeRequest"));
  EXPECT_EQ(answers[2], "Dave");
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(EdgeTest, ListPlugins) {
  grpc::ClientContext ctx;
  v1::ListPluginsResponse resp;
  ASSERT_TRUE(stub_->ListPlugins(&ctx, v1::ListPluginsRequest(), &resp).ok());
  ASSERT_EQ(resp.plugins_size(), 2);
  EXPECT_EQ(resp.plugins(0).name(), "good");
}

TEST_F(EdgeTest, AdminNeedsTheBearerToken) {
  auto admin = v1::PluginAdmin::NewStub(channel_);
  v1::UnloadPluginResponse resp;
  v1::UnloadPluginRequest req;
  req.set_name("slow");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(admin->UnloadPlugin(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer wrong");
    EXPECT_EQ(admin->UnloadPlugin(&ctx, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    EXPECT_TRUE(admin->UnloadPlugin(&ctx, req, &resp).ok());
  }
  EXPECT_EQ(registry_->Snapshot()->plugins().size(), 1u);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    v1::LoadPluginRequest load;
    load.set_name("slow");
    v1::LoadPluginResponse out;
    ASSERT_TRUE(admin->LoadPlugin(&ctx, load, &out).ok());
    EXPECT_EQ(out.plugin().name(), "slow");
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret");
    v1::ReloadPluginsResponse out;
    ASSERT_TRUE(admin->ReloadPlugins(&ctx, v1::ReloadPluginsRequest(), &out).ok());
    EXPECT_EQ(out.plugins_size(), 2);
  }
}

class BusyEdgeTest : public EdgeTest {
 protected:
  void SetUp() override { Start(1, 0); }
};

TEST_F(BusyEdgeTest, TooManyInFlightIsResourceExhausted) {
  // One worker, no queue: while a slow request runs, the next is refused at once.
  std::thread slow([&] {
    grpc::ClientContext ctx;
    v1::AnalyzeResponse resp;
    stub_->Analyze(&ctx, Request("Hi.", "d", {"slow"}), &resp);
  });
  // Wait until the slow request holds the only worker.
  for (int i = 0; i < 500 && executor_->InFlight() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(executor_->InFlight(), 1u);
  grpc::ClientContext ctx;
  v1::AnalyzeResponse resp;
  grpc::Status s = stub_->Analyze(&ctx, Request("Hi."), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("too many requests in flight"));
  slow.join();
}

}  // namespace
}  // namespace docanalysis
