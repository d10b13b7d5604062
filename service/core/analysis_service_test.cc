#include "service/core/analysis_service.h"

#include <sched.h>

#include <atomic>
#include <map>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/plugin_host/isolation.h"
#include "service/plugin_host/process_plugin.h"
#include "service/testing/plugin_dir.h"

namespace docanalysis {
namespace {

using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

v1::AnalyzeRequest AnalysisServiceTest_Request(const std::string& text, std::vector<std::string> features) {
  v1::AnalyzeRequest r;
  r.mutable_document()->set_content(text);
  for (auto& f : features) r.add_features(f);
  return r;
}

// Every test runs twice: with the plugins in process, and with each in a pool of worker processes
// (the core must not see a difference).
class AnalysisServiceTest : public ::testing::TestWithParam<Isolation> {
 protected:
  PluginRegistryOptions RegistryOptions() const {
    PluginRegistryOptions o;
    o.plugin_dir = dir_.path();
    IsolationPolicy policy;
    policy.mode = GetParam() == Isolation::kProcess ? IsolationMode::kProcess : IsolationMode::kInProcess;
    policy.process.worker_path = DOCANALYSIS_PLUGIN_WORKER;
    policy.process.pool_size = 2;
    o.loader = MakePluginLoader(policy);
    return o;
  }

  void SetUp() override {
    for (const char* f : {"good", "throws", "errors", "slow"}) dir_.Add(f);
    PluginRegistryOptions o = RegistryOptions();
    registry_ = std::make_unique<PluginRegistry>(o);
    registry_->Rescan(true);
    service_ = std::make_unique<AnalysisService>(registry_.get(), AnalysisOptions{});
  }

  static v1::AnalyzeRequest Request(const std::string& text, std::vector<std::string> features = {"good"}) {
    v1::AnalyzeRequest r;
    r.mutable_document()->set_id("doc-1");
    r.mutable_document()->set_content(text);
    for (auto& f : features) r.add_features(f);
    return r;
  }

  const v1::PluginRun* Run(const v1::AnalyzeResponse& r, const std::string& plugin) {
    for (const auto& run : r.plugin_runs())
      if (run.plugin() == plugin) return &run;
    return nullptr;
  }

  TempPluginDir dir_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<AnalysisService> service_;
};

TEST_P(AnalysisServiceTest, MergesResultsAndEchoesTheId) {
  auto r = service_->Analyze(Request("Alice met Bob. It was good."), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->document_id(), "doc-1");
  ASSERT_EQ(r->sentences_size(), 2);
  EXPECT_EQ(r->sentences(1).text().content(), "It was good.");
  EXPECT_FLOAT_EQ(r->sentences(1).sentiment().score(), 0.5f);
  EXPECT_FLOAT_EQ(r->document_sentiment().score(), 1.0f);
  ASSERT_EQ(r->summary().sentences_size(), 1);
  EXPECT_EQ(r->summary().text(), "Alice met Bob.");
  ASSERT_EQ(r->entities_size(), 3);  // Alice, Bob, It
  float salience = 0;
  for (const auto& e : r->entities()) salience += e.salience();
  EXPECT_NEAR(salience, 1.0f, 1e-5);
  EXPECT_EQ(r->annotations_size(), 2);
  ASSERT_EQ(r->plugin_runs_size(), 1);
  EXPECT_EQ(r->plugin_runs(0).code(), 0);
  EXPECT_THAT(r->plugin_runs(0).message(), HasSubstr("1 results with invalid offsets"));
}

TEST_P(AnalysisServiceTest, NoFeaturesRunsEveryDefaultPluginAndFailuresStayInTheirRun) {
  auto r = service_->Analyze(Request("Alice is good.", {}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->plugin_runs_size(), 4);
  EXPECT_EQ(Run(*r, "good")->code(), 0);
  EXPECT_EQ(Run(*r, "throws")->code(), static_cast<int>(absl::StatusCode::kInternal));
  EXPECT_EQ(Run(*r, "throws")->message(), "fixture exploded");
  EXPECT_EQ(Run(*r, "errors")->code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Run(*r, "errors")->message(), "fixture refuses this document");
  EXPECT_EQ(Run(*r, "slow")->code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(Run(*r, "slow")->message(), HasSubstr("budget of 200 ms"));
  EXPECT_LT(Run(*r, "slow")->latency_us(), 2'000'000);
  // The good plugin's results are all there.
  EXPECT_EQ(r->entities_size(), 1);
  EXPECT_EQ(r->summary().sentences_size(), 1);
}

TEST_P(AnalysisServiceTest, UnknownFeatureListsTheKnownOnes) {
  auto r = service_->Analyze(Request("x", {"good", "no-such-feature"}), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("\"no-such-feature\""));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("errors, good, slow, throws"));
}

TEST_P(AnalysisServiceTest, InvalidUtf8InRawContentNamesTheOffset) {
  v1::AnalyzeRequest req = Request("");
  req.mutable_document()->set_raw_content("good text \xff\xfe then");
  auto r = service_->Analyze(req, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("byte offset 10"));
  req.mutable_document()->set_raw_content("valid bytes");
  EXPECT_TRUE(service_->Analyze(req, {}).ok());
}

TEST_P(AnalysisServiceTest, OversizedDocumentNamesTheLimit) {
  AnalysisOptions o;
  o.max_document_bytes = 100;
  AnalysisService small(registry_.get(), o);
  auto r = small.Analyze(Request(std::string(101, 'x')), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("limit of 100 bytes"));
  EXPECT_TRUE(small.Analyze(Request(std::string(100, 'x')), {}).ok());
}

TEST_P(AnalysisServiceTest, EmptyContentIsOkAndEmpty) {
  auto r = service_->Analyze(Request(""), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sentences_size(), 0);
  EXPECT_EQ(r->entities_size(), 0);
  EXPECT_EQ(r->plugin_runs(0).code(), 0);
}

TEST_P(AnalysisServiceTest, OptionsReachThePluginAndBadOptionsAreRefused) {
  v1::AnalyzeRequest req = Request("Hi.");
  auto label = [](const v1::AnalyzeResponse& r) {
    for (const auto& l : r.labels())
      if (l.name() == "greeting") return l.value();
    return std::string();
  };
  auto r = service_->Analyze(req, {});
  EXPECT_EQ(label(*r), "hello");  // the manifest's default
  (*req.mutable_options())["good.greeting"] = "bonjour";
  EXPECT_EQ(label(*service_->Analyze(req, {})), "bonjour");
  (*req.mutable_options())["nobody.key"] = "1";
  EXPECT_EQ(service_->Analyze(req, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(AnalysisServiceTest, OperatorOverridesReplaceManifestDefaults) {
  PluginRegistryOptions o = RegistryOptions();
  o.option_overrides["good"] = {{"greeting", "salut"}};
  PluginRegistry registry(o);
  registry.Rescan(true);
  AnalysisService service(&registry, AnalysisOptions{});
  auto r = service.Analyze(Request("Hi."), {});
  ASSERT_TRUE(r.ok());
  std::string greeting;
  for (const auto& l : r->labels())
    if (l.name() == "greeting") greeting = l.value();
  EXPECT_EQ(greeting, "salut");
}

TEST_P(AnalysisServiceTest, OffsetsInEveryEncodingSliceTheMention) {
  // "é" is 2 bytes/1 unit, "😀" 4 bytes/2 UTF-16 units/1 code point.
  const std::string text = "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 Zo\xC3\xA9 went home.";
  struct Case { v1::EncodingType enc; int begin, end; } cases[] = {
      {v1::UTF8, 11, 15}, {v1::ENCODING_UNSPECIFIED, 11, 15}, {v1::UTF16, 7, 10}, {v1::UTF32, 6, 9}};
  for (const auto& c : cases) {
    v1::AnalyzeRequest req = Request(text);
    req.set_encoding_type(c.enc);
    auto r = service_->Analyze(req, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->entities_size(), 1);
    const auto& span = r->entities(0).mentions(0).text();
    EXPECT_EQ(span.content(), "Zo\xC3\xA9");
    EXPECT_EQ(span.begin_offset(), c.begin) << c.enc;
    EXPECT_EQ(span.end_offset(), c.end) << c.enc;
  }
}

TEST_P(AnalysisServiceTest, HtmlOffsetsPointIntoTheSource) {
  v1::AnalyzeRequest req = Request("<html><body><p>Meet <b>Zo&eacute;</b> today.</p><script>Bad()</script></body></html>");
  req.mutable_document()->set_type(v1::Document::HTML);
  auto r = service_->Analyze(req, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->sentences_size(), 1);
  EXPECT_EQ(r->sentences(0).text().content(), "Meet Zo\xC3\xA9 today.");
  ASSERT_EQ(r->entities_size(), 2);  // Meet, Zoé; nothing from the script
  const auto& html = req.document().content();
  for (const auto& e : r->entities()) {
    const auto& span = e.mentions(0).text();
    if (span.content() == "Meet") EXPECT_EQ(html.substr(span.begin_offset(), span.end_offset() - span.begin_offset()), "Meet");
    else EXPECT_EQ(html.substr(span.begin_offset(), span.end_offset() - span.begin_offset()), "Zo&eacute;");
  }
}

TEST_P(AnalysisServiceTest, GroupsMentionsAndLinksSurnames) {
  // The fixture tags capitalised words as PERSON; the host groups repeated names.
  auto r = service_->Analyze(Request("Alice spoke. Alice left. Bob stayed."), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->entities_size(), 2);
  EXPECT_EQ(r->entities(0).name(), "Alice");
  EXPECT_EQ(r->entities(0).mentions_size(), 2);
  EXPECT_EQ(r->entities(0).mentions(1).sentence_index(), 1);
  EXPECT_GT(r->entities(0).salience(), r->entities(1).salience());
}

TEST_P(AnalysisServiceTest, ExpiredDeadlineAndCancellation) {
  RequestContext expired;
  expired.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_EQ(service_->Analyze(Request("Hi."), expired).status().code(), absl::StatusCode::kDeadlineExceeded);

  // A deadline that expires while the slow plugin runs stops it (long before its 10 s budget)
  // and fails the call.
  AnalysisOptions patient;
  patient.plugin_timeout_ms = 10000;
  AnalysisService service(registry_.get(), patient);
  RequestContext soon;
  soon.deadline = absl::Now() + absl::Milliseconds(50);
  absl::Time start = absl::Now();
  EXPECT_EQ(service.Analyze(Request("Hi.", {"slow"}), soon).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  std::atomic<bool> cancelled{false};
  RequestContext c;
  c.is_cancelled = [&] { return cancelled.load(); };
  cancelled = true;
  EXPECT_EQ(service_->Analyze(Request("Hi.", {"slow"}), c).status().code(), absl::StatusCode::kCancelled);
}

// An isolated plugin's worker runs on its caller's CPU (a wake-up on another CPU costs several
// times the whole round trip on a virtual machine); a run still going after 5 ms gives the worker
// back to the scheduler, so that a long run cannot keep a busy CPU while another idles.
TEST_P(AnalysisServiceTest, AWorkerRunsOnItsCallersCpuUntilARunTakesLong) {
  if (GetParam() != Isolation::kProcess) GTEST_SKIP() << "workers only";
  cpu_set_t server;
  ASSERT_EQ(sched_getaffinity(0, sizeof(server), &server), 0);
  if (CPU_COUNT(&server) < 2) GTEST_SKIP() << "one CPU: nothing to pin";
  auto affinity = [](pid_t pid) {
    cpu_set_t s;
    EXPECT_EQ(sched_getaffinity(pid, sizeof(s), &s), 0);
    return s;
  };
  auto workers = [&](const char* name) {
    auto snapshot = registry_->Snapshot();
    const auto* p = dynamic_cast<const ProcessPlugin*>(snapshot->FindByName(name));
    EXPECT_NE(p, nullptr);
    return p ? p->WorkerPids() : std::vector<pid_t>{};
  };
  ASSERT_TRUE(service_->Analyze(Request("Hi."), RequestContext{}).ok());
  std::vector<pid_t> quick = workers("good");
  ASSERT_EQ(quick.size(), 1u);
  cpu_set_t pinned = affinity(quick[0]);
  EXPECT_EQ(CPU_COUNT(&pinned), 1);

  RequestContext soon;  // the slow fixture sleeps in 5 ms steps until cancelled
  soon.deadline = absl::Now() + absl::Milliseconds(60);
  EXPECT_FALSE(service_->Analyze(Request("Hi.", {"slow"}), soon).ok());
  std::vector<pid_t> slow = workers("slow");
  ASSERT_EQ(slow.size(), 1u);
  cpu_set_t unpinned = affinity(slow[0]);
  EXPECT_TRUE(CPU_EQUAL(&unpinned, &server));
}

TEST_P(AnalysisServiceTest, ListPluginsShowsStateAndErrors) {
  dir_.Add("bad_major");
  registry_->Rescan(true);
  v1::ListPluginsResponse r = service_->ListPlugins();
  EXPECT_EQ(r.host_abi_version(), "1.1");
  ASSERT_EQ(r.plugins_size(), 5);
  for (const auto& p : r.plugins()) {
    if (p.name() == "bad_major") {
      EXPECT_EQ(p.state(), v1::PluginInfo::FAILED);
      EXPECT_THAT(p.last_error(), HasSubstr("ABI major 99"));
    } else {
      EXPECT_EQ(p.state(), v1::PluginInfo::LOADED) << p.name();
      EXPECT_EQ(p.version(), "1.0.0");
      EXPECT_EQ(p.abi_version(), "1.1");
      EXPECT_EQ(p.isolation(), IsolationName(GetParam()));
    }
  }
}

std::map<std::string, std::string> Labels(const v1::AnalyzeResponse& r, const std::string& plugin) {
  std::map<std::string, std::string> out;
  for (const auto& l : r.labels())
    if (l.plugin() == plugin) out[l.name()] = l.value();
  return out;
}

TEST_P(AnalysisServiceTest, UpstreamResultsReachThePluginThatNeedsThem) {
  dir_.Add("upstream");
  registry_->Rescan(true);
  // Asking for "upstream" alone brings in "good", which it needs, and runs it first.
  auto r = service_->Analyze(Request("Alice met Bob. It was good.", {"upstream"}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->plugin_runs_size(), 2);
  EXPECT_EQ(r->plugin_runs(0).plugin(), "good");
  EXPECT_EQ(r->plugin_runs(1).plugin(), "upstream");
  std::map<std::string, std::string> l = Labels(*r, "upstream");
  EXPECT_EQ(l["upstream"], "available");
  EXPECT_EQ(l["mentions"], "3");  // Alice, Bob, It (the out-of-range mention was dropped)
  EXPECT_EQ(l["first_canonical"], "Alice");
  EXPECT_EQ(l["document_score"], "1.000000");
  EXPECT_EQ(l["upstream_labels"], "3");
  EXPECT_EQ(l["upstream_greeting"], "hello");
}

TEST_P(AnalysisServiceTest, APluginBuiltAgainstAbi10KeepsWorking) {
  dir_.Add("abi10");
  registry_->Rescan(true);
  auto r = service_->Analyze(Request("Alice met Bob. It was good.", {"abi10"}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->plugin_runs_size(), 1);
  EXPECT_EQ(r->plugin_runs(0).code(), 0);
  EXPECT_EQ(Labels(*r, "abi10")["greeting"], "hello");
  v1::ListPluginsResponse list = service_->ListPlugins();
  for (const auto& p : list.plugins())
    if (p.name() == "abi10") EXPECT_EQ(p.abi_version(), "1.0");
}

TEST(AnalysisServiceDependencies, MissingNeedsAndCyclesAreRefusedAtLoadTime) {
  TempPluginDir dir;
  for (const char* f : {"upstream", "cycle_a", "cycle_b", "abi10"}) dir.Add(f);
  PluginRegistryOptions o;
  o.plugin_dir = dir.path();
  PluginRegistry registry(o);
  registry.Rescan(true);
  AnalysisService service(&registry, AnalysisOptions{});
  std::map<std::string, v1::PluginInfo> info;
  v1::ListPluginsResponse list = service.ListPlugins();
  for (const auto& p : list.plugins()) info[p.name()] = p;
  EXPECT_EQ(info["upstream"].state(), v1::PluginInfo::FAILED);
  EXPECT_THAT(info["upstream"].last_error(), HasSubstr("needs feature \"good\", which no loaded plugin provides"));
  EXPECT_EQ(info["cycle_a"].state(), v1::PluginInfo::FAILED);
  EXPECT_THAT(info["cycle_a"].last_error(), HasSubstr("dependency cycle through \"needs\": cycle_a -> cycle_b -> cycle_a"));
  EXPECT_THAT(info["cycle_b"].last_error(), HasSubstr("dependency cycle"));
  EXPECT_EQ(info["abi10"].state(), v1::PluginInfo::LOADED);
  // Refused plugins are not offered: asking for them is an unknown feature.
  auto r = service.Analyze(AnalysisServiceTest_Request("Hi.", {"upstream"}), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // Once what it needs is installed, the refused plugin serves by itself.
  dir.Add("good");
  registry.Rescan(true);
  list = service.ListPlugins();
  for (const auto& p : list.plugins()) {
    if (p.name() == "upstream") {
      EXPECT_EQ(p.state(), v1::PluginInfo::LOADED);
      EXPECT_EQ(p.last_error(), "");
    }
  }
  EXPECT_TRUE(service.Analyze(AnalysisServiceTest_Request("Hi.", {"upstream"}), {}).ok());
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, AnalysisServiceTest,
                         ::testing::Values(Isolation::kInProcess, Isolation::kProcess),
                         [](const ::testing::TestParamInfo<Isolation>& info) { return std::string(IsolationName(info.param)); });

}  // namespace
}  // namespace docanalysis

namespace docanalysis {
namespace {

class AnalysisServiceLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"good", "flood", "hang"}) dir_.Add(f);
    PluginRegistryOptions o;
    o.plugin_dir = dir_.path();
    registry_ = std::make_unique<PluginRegistry>(o);
    registry_->Rescan(true);
    service_ = std::make_unique<AnalysisService>(registry_.get(), AnalysisOptions{});
  }
  static v1::AnalyzeRequest Request(const std::string& text, std::vector<std::string> features) {
    v1::AnalyzeRequest r;
    r.mutable_document()->set_content(text);
    for (auto& f : features) r.add_features(f);
    return r;
  }
  TempPluginDir dir_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<AnalysisService> service_;
};

// A plugin that writes without end gets RESOURCE_EXHAUSTED on its own run; the others are intact.
TEST_F(AnalysisServiceLimitsTest, PluginOverItsResultCapFailsAlone) {
  auto r = service_->Analyze(Request("Alice met Bob. It was good.", {"good", "flood"}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->plugin_runs_size(), 2);
  for (const auto& run : r->plugin_runs()) {
    if (run.plugin() == "flood") {
      EXPECT_EQ(run.code(), static_cast<int>(absl::StatusCode::kResourceExhausted)) << run.message();
      EXPECT_THAT(run.message(), ::testing::HasSubstr("cap"));
    } else {
      EXPECT_EQ(run.code(), 0) << run.message();
    }
  }
  for (const auto& l : r->labels()) EXPECT_NE(l.plugin(), "flood");
  EXPECT_GT(r->labels_size(), 0);  // good's labels
}

// A plugin that never finishes on its own is stopped at its budget; the request answers.
TEST_F(AnalysisServiceLimitsTest, HangingPluginIsMarkedDeadlineExceeded) {
  absl::Time start = absl::Now();
  auto r = service_->Analyze(Request("Alice met Bob.", {"good", "hang"}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  for (const auto& run : r->plugin_runs()) {
    if (run.plugin() == "hang") EXPECT_EQ(run.code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded)) << run.message();
    else EXPECT_EQ(run.code(), 0);
  }
}

// Cancellation reaches the host's own stages: a cancelled request stops in the text pipeline.
TEST_F(AnalysisServiceLimitsTest, CancelledRequestStopsInTheTextPipeline) {
  std::string big;
  while (big.size() < (900u << 10)) big += "Kurt M. Campbell met officials in Niamey. ";
  std::atomic<int> polls{0};
  RequestContext ctx;
  ctx.is_cancelled = [&polls] { return ++polls > 3; };  // cancelled after a few polls
  auto r = service_->Analyze(Request(big, {"good"}), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("segmentation"));
}

TEST_F(AnalysisServiceLimitsTest, ExpiredDeadlineStopsBeforeAnyWork) {
  RequestContext ctx;
  ctx.deadline = absl::Now() - absl::Milliseconds(1);
  auto r = service_->Analyze(Request("Alice.", {"good"}), ctx);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace docanalysis
