// Linear time, checked: every hostile shape of service/testing/hostile_text.h goes through the
// whole request path (UTF-8 validation, HTML reduction, segmentation, the three built-in plugins,
// the merge and UTF-16 offset conversion) and must cost at most kFactor times the CPU of ordinary
// prose of the same size. A scanner that rescans from each position costs hundreds of times more
// at this size, so the generous factor still catches it; bench/hostile_bench measures the real
// figures at 1 MiB.
#include <time.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "service/core/analysis_service.h"
#include "service/plugin_host/plugin_registry.h"
#include "service/testing/hostile_text.h"

namespace docanalysis {
namespace {

constexpr size_t kBytes = 128 << 10;
constexpr double kFactor = 12.0;

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

class LinearTime : public ::testing::TestWithParam<testing::HostileShape> {
 protected:
  static void SetUpTestSuite() {
    PluginRegistryOptions o;
    o.plugin_dir = DOCANALYSIS_BUILTIN_PLUGIN_DIR;
    registry_ = new PluginRegistry(o);
    registry_->Rescan(/*force=*/true);
    AnalysisOptions a;
    a.max_document_bytes = 4 << 20;
    a.plugin_timeout_ms = 600000;
    service_ = new AnalysisService(registry_, a);
    std::ifstream in(std::string(DOCANALYSIS_SHARED_DIR) + "/samples/000_ac263380b61652b0.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string prose = testing::Prose(ss.str(), kBytes);
    prose_seconds_ = Cost(prose, false);
  }
  static void TearDownTestSuite() {
    delete service_;
    delete registry_;
  }

  // CPU seconds of the fastest of three Analyze calls with every feature.
  static double Cost(const std::string& text, bool html) {
    v1::AnalyzeRequest req;
    req.mutable_document()->set_content(text);
    if (html) req.mutable_document()->set_type(v1::Document::HTML);
    req.set_encoding_type(v1::UTF16);
    for (const char* f : {"entities", "sentiment", "summary"}) req.add_features(f);
    double best = 1e9;
    for (int i = 0; i < 3; ++i) {
      double t0 = ThreadCpuSeconds();
      auto r = service_->Analyze(req, RequestContext{});
      best = std::min(best, ThreadCpuSeconds() - t0);
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) {
        for (const auto& run : r->plugin_runs()) EXPECT_EQ(run.code(), 0) << run.plugin() << ": " << run.message();
      }
      if (best > 20 * prose_seconds_ && prose_seconds_ > 0) break;  // clearly too slow: no need to repeat
    }
    return best;
  }

  static PluginRegistry* registry_;
  static AnalysisService* service_;
  static double prose_seconds_;
};
PluginRegistry* LinearTime::registry_ = nullptr;
AnalysisService* LinearTime::service_ = nullptr;
double LinearTime::prose_seconds_ = 0;

TEST_P(LinearTime, CostsAtMostAFewTimesProse) {
  ASSERT_GT(prose_seconds_, 0);
  std::string text = testing::Generate(GetParam(), kBytes);
  double seconds = Cost(text, GetParam().html);
  double ratio = seconds / prose_seconds_;
  RecordProperty("ratio_to_prose", std::to_string(ratio));
  EXPECT_LE(ratio, kFactor) << GetParam().name << ": " << seconds * 1e3 << " ms vs " << prose_seconds_ * 1e3
                            << " ms for prose of the same size";
}

std::string ShapeName(const ::testing::TestParamInfo<testing::HostileShape>& info) {
  std::string n;
  for (char c : info.param.name) n.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return n + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Shapes, LinearTime, ::testing::ValuesIn(testing::HostileShapes()), ShapeName);

}  // namespace
}  // namespace docanalysis
