#include "service/plugin_host/plugin_registry.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/testing/plugin_dir.h"

namespace docanalysis {
namespace {

using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

PluginRegistryOptions Options(const TempPluginDir& dir) {
  PluginRegistryOptions o;
  o.plugin_dir = dir.path();
  o.quiet_period = absl::Milliseconds(50);
  return o;
}

const PluginStatus* Find(const std::vector<PluginStatus>& all, const std::string& folder) {
  for (const auto& s : all)
    if (s.folder_name == folder) return &s;
  return nullptr;
}

std::string LoadError(const std::string& fixture) {
  TempPluginDir dir;
  dir.Add(fixture);
  PluginRegistry reg(Options(dir));
  reg.Rescan(/*force=*/true);
  auto statuses = reg.Statuses();
  const PluginStatus* s = Find(statuses, fixture);
  EXPECT_NE(s, nullptr);
  EXPECT_EQ(s->loaded, nullptr);
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  return s ? s->last_error : "";
}

TEST(PluginRegistry, LoadsAGoodPlugin) {
  TempPluginDir dir;
  dir.Add("good");
  PluginRegistry reg(Options(dir));
  reg.Rescan(true);
  auto snap = reg.Snapshot();
  ASSERT_EQ(snap->plugins().size(), 1u);
  EXPECT_EQ(snap->plugins()[0]->name(), "good");
  EXPECT_EQ(snap->FindByFeature("good"), snap->plugins()[0].get());
  EXPECT_EQ(snap->FindByFeature("nope"), nullptr);
  EXPECT_TRUE(reg.Statuses()[0].last_error.empty());
}

TEST(PluginRegistry, RefusesWrongAbiMajor) { EXPECT_THAT(LoadError("bad_major"), HasSubstr("ABI major 99")); }
TEST(PluginRegistry, RefusesNewerAbiMinor) { EXPECT_THAT(LoadError("newer_minor"), HasSubstr("newer than this server")); }
TEST(PluginRegistry, RefusesLibraryWithoutEntrySymbol) {
  EXPECT_THAT(LoadError("missing_symbol"), HasSubstr("does not export docanalysis_plugin_get_api"));
}
TEST(PluginRegistry, ReportsCreateFailure) { EXPECT_THAT(LoadError("create_fails"), HasSubstr("fixture.bin is missing")); }

TEST(PluginRegistry, RefusesManifestWithNewerAbi) {
  TempPluginDir dir;
  dir.Add("good");
  std::ofstream(dir.path() + "/good/plugin.json")
      << R"({"name": "good", "version": "1", "abi_version": "1.7", "library": "libgood.so", "provides": ["good"]})";
  PluginRegistry reg(Options(dir));
  reg.Rescan(true);
  EXPECT_THAT(reg.Statuses()[0].last_error, HasSubstr("supports 1.0 to 1.1"));
}

TEST(PluginRegistry, ReportsMissingLibrary) {
  TempPluginDir dir;
  std::filesystem::create_directories(dir.path() + "/ghost");
  std::ofstream(dir.path() + "/ghost/plugin.json")
      << R"({"name": "ghost", "version": "1", "abi_version": "1.0", "library": "libghost.so", "provides": ["ghost"]})";
  PluginRegistry reg(Options(dir));
  reg.Rescan(true);
  EXPECT_THAT(reg.Statuses()[0].last_error, HasSubstr("cannot copy library"));
}

TEST(PluginRegistry, WaitsUntilAFolderIsQuietAndHasAManifest) {
  TempPluginDir dir;
  PluginRegistry reg(Options(dir));
  // A folder still being copied: library but no manifest yet.
  std::filesystem::create_directories(dir.path() + "/good");
  std::filesystem::copy_file(TempPluginDir::FixtureDir() + "/good/libgood.so", dir.path() + "/good/libgood.so");
  reg.Rescan();
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  dir.Add("good");
  reg.Rescan();  // first sight of the complete folder: not yet quiet
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  absl::SleepFor(absl::Milliseconds(80));
  reg.Rescan();
  EXPECT_EQ(reg.Snapshot()->plugins().size(), 1u);
}

TEST(PluginRegistry, ReplacesAndRemovesWhileOldSnapshotsStayUsable) {
  TempPluginDir dir;
  dir.Add("good");
  PluginRegistry reg(Options(dir));
  reg.Rescan(true);
  std::shared_ptr<const PluginSnapshot> old = reg.Snapshot();
  ASSERT_EQ(old->plugins()[0]->manifest().version, "1.0.0");

  dir.Remove("good");
  dir.Add("good_v2", "good");
  reg.Rescan(true);
  auto now = reg.Snapshot();
  ASSERT_EQ(now->plugins().size(), 1u);
  EXPECT_EQ(now->plugins()[0]->manifest().version, "2.0.0");
  // The old version still works for requests that started on it.
  EXPECT_EQ(old->plugins()[0]->manifest().version, "1.0.0");
  EXPECT_EQ(old->plugins()[0]->name(), "good");

  dir.Remove("good");
  reg.Rescan();
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  EXPECT_TRUE(reg.Statuses().empty());
}

TEST(PluginRegistry, FailedReloadKeepsThePreviousVersion) {
  TempPluginDir dir;
  dir.Add("good");
  PluginRegistry reg(Options(dir));
  reg.Rescan(true);
  // A broken new build lands in the folder.
  std::filesystem::copy_file(TempPluginDir::FixtureDir() + "/bad_major/libbad_major.so", dir.path() + "/good/libgood.so",
                             std::filesystem::copy_options::overwrite_existing);
  reg.Rescan(true);
  auto snap = reg.Snapshot();
  ASSERT_EQ(snap->plugins().size(), 1u);
  EXPECT_EQ(snap->plugins()[0]->manifest().version, "1.0.0");
  auto statuses = reg.Statuses();
  EXPECT_THAT(statuses[0].last_error, HasSubstr("ABI major 99"));
  ASSERT_NE(statuses[0].loaded, nullptr);
}

TEST(PluginRegistry, LoadOneAndUnloadOne) {
  TempPluginDir dir;
  dir.Add("good");
  PluginRegistry reg(Options(dir));
  auto loaded = reg.LoadOne("good");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(reg.Snapshot()->plugins().size(), 1u);
  EXPECT_EQ(reg.LoadOne("nothing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(reg.LoadOne("../etc").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(reg.UnloadOne("good").ok());
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  reg.Rescan();  // the watcher does not load it straight back
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  EXPECT_EQ(reg.UnloadOne("nothing").code(), absl::StatusCode::kNotFound);
}

TEST(PluginRegistry, WatcherPicksUpChangesWithinTwoSeconds) {
  TempPluginDir dir;
  PluginRegistry reg(Options(dir));
  reg.StartWatching(absl::Milliseconds(50));
  dir.Add("good");
  absl::Time start = absl::Now();
  while (reg.Snapshot()->plugins().empty() && absl::Now() - start < absl::Seconds(2)) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(reg.Snapshot()->plugins().size(), 1u);
  dir.Remove("good");
  start = absl::Now();
  while (!reg.Snapshot()->plugins().empty() && absl::Now() - start < absl::Seconds(2)) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(reg.Snapshot()->plugins().empty());
  reg.StopWatching();
}

}  // namespace
}  // namespace docanalysis
