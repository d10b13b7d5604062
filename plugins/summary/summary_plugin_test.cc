// Runs the staged summary plugin as the host does: loaded from its plugin folder by the host's
// loader, documents segmented by the host's segmenter, results recorded by the host's collector
// (service/testing/plugin_runner.h).
#include <memory>
#include <string>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/testing/plugin_runner.h"

namespace docanalysis::summary {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

struct Recorder {
  std::vector<std::pair<uint32_t, float>> summary;
  std::string error;
};

// The plugin loaded with operator option overrides `options` (create-time).
class Instance {
 public:
  explicit Instance(std::vector<std::pair<std::string, std::string>> options = {}) {
    auto runner = docanalysis::testing::PluginRunner::Load(SUMMARY_PLUGIN_DIR, options);
    if (runner.ok()) runner_ = *std::move(runner);
    create_code_ = static_cast<int32_t>(runner.status().code());
    create_error_ = std::string(runner.status().message());
  }

  int32_t create_code() const { return create_code_; }
  const std::string& create_error() const { return create_error_; }
  const docanalysis::testing::PluginRunner& runner() const { return *runner_; }

  int32_t Analyze(const std::string& text, const std::vector<std::pair<std::string, std::string>>& options,
                  Recorder* out) {
    docanalysis::testing::PluginRun run = runner_->Run(text, options);
    out->summary = run.results->summary;
    out->error = run.results->error;
    EXPECT_EQ(run.results->rejected, 0u) << "the host dropped summary sentences with invalid indices";
    return static_cast<int32_t>(run.status.code());
  }

 private:
  std::unique_ptr<docanalysis::testing::PluginRunner> runner_;
  int32_t create_code_ = -1;
  std::string create_error_;
};

constexpr char kNews[] =
    "The city council approved a plan on Tuesday to build three new bridges across the river. "
    "The bridges will connect the northern districts with the old town and the main railway station. "
    "Construction is expected to start next spring and to last about four years in total. "
    "The council estimates the cost at 120 million euros, shared with the regional government. "
    "Opponents of the plan say the money should go to schools and hospitals instead.";

TEST(SummaryPluginTest, LoadsFromItsStagedFolder) {
  Instance plugin;
  ASSERT_EQ(plugin.create_code(), DOCANALYSIS_OK) << plugin.create_error();
  EXPECT_EQ(plugin.runner().plugin().name(), "summary");
  EXPECT_EQ(plugin.runner().plugin().built_abi_major(), static_cast<uint32_t>(DOCANALYSIS_ABI_MAJOR));
  EXPECT_EQ(plugin.runner().plugin().manifest().provides, std::vector<std::string>{"summary"});
}

TEST(SummaryPluginTest, AddsSummarySentences) {
  Instance plugin;
  ASSERT_EQ(plugin.create_code(), DOCANALYSIS_OK) << plugin.create_error();
  Recorder r;
  ASSERT_EQ(plugin.Analyze(kNews, {{"max_sentences", "2"}}, &r), DOCANALYSIS_OK) << r.error;
  ASSERT_THAT(r.summary, SizeIs(2));
  EXPECT_EQ(r.summary[0].first, 0u);
}

TEST(SummaryPluginTest, RequestOptionsOverrideDefaults) {
  Instance plugin(std::vector<std::pair<std::string, std::string>>{{"max_sentences", "1"}});
  ASSERT_EQ(plugin.create_code(), DOCANALYSIS_OK);
  Recorder one, three;
  ASSERT_EQ(plugin.Analyze(kNews, {}, &one), DOCANALYSIS_OK);
  EXPECT_THAT(one.summary, SizeIs(1));
  ASSERT_EQ(plugin.Analyze(kNews, {{"max_sentences", "3"}, {"target_words", "0"}}, &three), DOCANALYSIS_OK);
  EXPECT_THAT(three.summary, SizeIs(3));
}

TEST(SummaryPluginTest, BadOptionValueIsInvalidArgument) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze(kNews, {{"max_sentences", "lots"}}, &r), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_THAT(r.error, HasSubstr("max_sentences"));
  EXPECT_THAT(r.summary, SizeIs(0));
}

TEST(SummaryPluginTest, UnknownOptionsAreIgnored) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze(kNews, {{"colour", "blue"}}, &r), DOCANALYSIS_OK);
  EXPECT_THAT(r.summary, SizeIs(3));
}

TEST(SummaryPluginTest, BadCreateOptionFailsTheLoad) {
  Instance plugin(std::vector<std::pair<std::string, std::string>>{{"ratio", "half"}});
  EXPECT_EQ(plugin.create_code(), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_THAT(plugin.create_error(), HasSubstr("ratio"));
}

TEST(SummaryPluginTest, EmptyDocumentIsOk) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze("", {}, &r), DOCANALYSIS_OK);
  EXPECT_THAT(r.summary, SizeIs(0));
}

TEST(SummaryPluginTest, OneSentence) {
  Instance plugin;
  Recorder r;
  EXPECT_EQ(plugin.Analyze("Just one line", {}, &r), DOCANALYSIS_OK);
  ASSERT_THAT(r.summary, SizeIs(1));
  EXPECT_EQ(r.summary[0].first, 0u);
}

}  // namespace
}  // namespace docanalysis::summary
