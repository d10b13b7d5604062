// End-to-end tests of plugin isolation: the real server with the built-in plugins and the fault
// fixtures (tests/fixtures/fault_plugin.c) as third-party plugins, which run in worker processes
// by default. Checks that every fault becomes that plugin's run status while the built-ins answer
// right, under 16 concurrent clients, and that nothing leaks: worker processes, shared-memory
// regions, descriptors.
#include <dirent.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "docanalysis/v1/docanalysis.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/testing/plugin_dir.h"
#include "service/worker/sandbox.h"
#include "tests/e2e/server_process.h"

namespace docanalysis {
namespace {

namespace fs = std::filesystem;
using ::docanalysis::testing::ServerProcess;
using ::docanalysis::testing::TempPluginDir;
using ::testing::HasSubstr;

// Fault fixture -> the code its run must carry on a document that triggers the fault.
// "alloc" needs the worker's RLIMIT_AS, which sanitizer builds cannot apply (their shadow memory
// reserves terabytes of address space), so those builds leave that fixture out.
const std::map<std::string, int> kExpected = [] {
  std::map<std::string, int> m = {
      {"segfault", 14}, {"abort", 14}, {"exit", 14}, {"spin", 4},
      {"alloc", 8},     {"noisy", 0},  {"fork", 7},  {"socket", 7},
  };
  if (!worker::kAddressSpaceLimitApplies) m.erase("alloc");
  return m;
}();

void FillPlugins(const TempPluginDir& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(DOCANALYSIS_BUILTIN_PLUGIN_DIR, ec))
    if (e.is_directory() && fs::exists(e.path() / "plugin.json")) dir.AddFrom(e.path().string(), e.path().filename().string());
  for (const auto& [name, code] : kExpected) dir.AddFrom(std::string(DOCANALYSIS_FAULT_DIR) + "/" + name, name);
}

v1::AnalyzeRequest Request(const std::string& text, std::vector<std::string> features) {
  v1::AnalyzeRequest r;
  r.mutable_document()->set_content(text);
  for (auto& f : features) r.add_features(f);
  return r;
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 60) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return c;
}

// The processes whose parent is `pid`, with their state letter.
std::map<pid_t, char> Children(pid_t pid) {
  std::map<pid_t, char> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.empty() || !isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat;
    try {
      stat.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      continue;  // the process exited while we read its stat (ESRCH)
    }
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid) out[std::stoi(name)] = state;
  }
  return out;
}

struct Fds {
  int total = 0;
  int memfds = 0;
};
Fds OpenFds(pid_t pid) {
  Fds f;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    ++f.total;
    std::error_code e2;
    if (fs::read_symlink(e.path(), e2).string().find("memfd:docanalysis-") != std::string::npos) ++f.memfds;
  }
  return f;
}

bool HasEntity(const v1::AnalyzeResponse& r, const std::string& name, v1::EntityType type) {
  for (const auto& e : r.entities())
    if (e.name() == name && e.type() == type) return true;
  return false;
}

TEST(IsolationE2E, FaultsBecomeRunStatusesUnderConcurrentClientsAndNothingLeaks) {
  TempPluginDir dir;
  FillPlugins(dir);
  ServerProcess server(dir.path(), {"--plugin_workers=2", "--plugin_max_crashes=0", "--max_queued=64"});
  ASSERT_FALSE(server.target().empty()) << "server did not start";
  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  auto stub = v1::DocumentAnalysis::NewStub(channel);

  v1::ListPluginsResponse plugins;
  ASSERT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &plugins).ok());
  std::map<std::string, std::string> isolation;
  for (const auto& p : plugins.plugins()) isolation[p.name()] = p.isolation();
  EXPECT_EQ(isolation["entity"], "in_process");
  for (const auto& [name, code] : kExpected) EXPECT_EQ(isolation[name], "process") << name;

  const std::string calm = "Angela Merkel flew to Paris on Monday.";
  const std::string faulty = "Angela Merkel flew to Paris. FAULT now.";
  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](std::string f) {
    std::lock_guard<std::mutex> lock(mu);
    failures.push_back(std::move(f));
  };
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      std::vector<std::string> kinds;
      for (const auto& [name, code] : kExpected) kinds.push_back(name);
      for (size_t i = 0; i < kinds.size(); ++i) {
        const std::string& kind = kinds[(i + c) % kinds.size()];
        for (bool bad : {true, false}) {
          v1::AnalyzeResponse r;
          auto t0 = std::chrono::steady_clock::now();
          grpc::Status s = stub->Analyze(Ctx().get(), Request(bad ? faulty : calm, {"entities", kind}), &r);
          double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          if (!s.ok()) { fail(kind + ": request failed: " + s.error_message()); continue; }
          ++answered;
          if (!HasEntity(r, "Angela Merkel", v1::PERSON) || !HasEntity(r, "Paris", v1::LOCATION))
            fail(kind + ": built-in entities missing");
          int code = -1;
          std::string message;
          for (const auto& run : r.plugin_runs())
            if (run.plugin() == kind) code = run.code(), message = run.message();
          int want = bad ? kExpected.at(kind) : 0;
          if (code != want)
            fail(kind + (bad ? " (fault)" : " (calm)") + ": code " + std::to_string(code) + " (" + message +
                 "), want " + std::to_string(want));
          if (bad && kind == "segfault" && message.find("plugin worker died: signal 11") == std::string::npos)
            fail("segfault message: " + message);
          if (bad && kind == "exit" && message.find("exited with status 3") == std::string::npos)
            fail("exit message: " + message);
          if (kind == "spin" && secs > 10) fail("spin answered after " + std::to_string(secs) + " s");
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_THAT(failures, ::testing::IsEmpty());
  EXPECT_EQ(answered.load(), static_cast<int>(16 * kExpected.size() * 2));

  // No leaks: at most pool-size workers per isolated plugin, none a zombie; one shared-memory
  // region (and one socket) per live worker in the server; worker crashes counted.
  std::map<pid_t, char> children = Children(server.pid());
  int zombies = 0;
  for (const auto& [pid, state] : children) zombies += state == 'Z';
  EXPECT_EQ(zombies, 0);
  EXPECT_LE(children.size(), kExpected.size() * 2);
  Fds fds = OpenFds(server.pid());
  EXPECT_EQ(fds.memfds, static_cast<int>(children.size()));
  ASSERT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &plugins).ok());
  for (const auto& p : plugins.plugins()) {
    if (p.name() == "segfault") EXPECT_GE(p.worker_crashes(), 16);
    if (p.name() == "noisy") EXPECT_EQ(p.worker_crashes(), 0);
  }

  // A second round costs no more descriptors or processes than the first left.
  for (int i = 0; i < 3; ++i) {
    for (const auto& [name, code] : kExpected) {
      v1::AnalyzeResponse r;
      ASSERT_TRUE(stub->Analyze(Ctx().get(), Request(faulty, {"entities", name}), &r).ok());
    }
  }
  Fds after = OpenFds(server.pid());
  std::map<pid_t, char> children_after = Children(server.pid());
  EXPECT_LE(after.total, fds.total + 2);
  EXPECT_EQ(after.memfds, static_cast<int>(children_after.size()));

  // Workers do not outlive the server.
  EXPECT_EQ(server.Stop(), 0);
  usleep(300 * 1000);
  for (const auto& [pid, state] : children_after) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(cmdline.find("docanalysis-plugin-worker"), std::string::npos) << "worker " << pid << " outlived the server";
  }
}

TEST(IsolationE2E, CrashesInARowMarkThePluginBrokenUntilReloaded) {
  TempPluginDir dir;
  dir.AddFrom(std::string(DOCANALYSIS_FAULT_DIR) + "/segfault", "segfault");
  ServerProcess server(dir.path(), {"--plugin_max_crashes=3", "--plugin_workers=1"});
  ASSERT_FALSE(server.target().empty());
  auto stub = v1::DocumentAnalysis::NewStub(grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
  auto run = [&](const std::string& text) {
    v1::AnalyzeResponse r;
    EXPECT_TRUE(stub->Analyze(Ctx().get(), Request(text, {"segfault"}), &r).ok());
    return r.plugin_runs_size() == 1 ? r.plugin_runs(0) : v1::PluginRun();
  };
  EXPECT_EQ(run("calm").code(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run("FAULT").code(), 14);
  v1::PluginRun after = run("calm");
  EXPECT_EQ(after.code(), 14);
  EXPECT_THAT(after.message(), HasSubstr("broken"));
  v1::ListPluginsResponse plugins;
  ASSERT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &plugins).ok());
  ASSERT_EQ(plugins.plugins_size(), 1);
  EXPECT_EQ(plugins.plugins(0).state(), v1::PluginInfo::BROKEN);
  EXPECT_EQ(plugins.plugins(0).worker_crashes(), 3);

  // SIGHUP reloads every plugin: a fresh pool, no longer broken. (A reload skips folders written
  // within the quiet period, so signal again until it has happened.)
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 0) kill(server.pid(), SIGHUP);
    usleep(50 * 1000);
    ASSERT_TRUE(stub->ListPlugins(Ctx().get(), v1::ListPluginsRequest(), &plugins).ok());
    if (plugins.plugins(0).state() == v1::PluginInfo::LOADED) break;
  }
  EXPECT_EQ(plugins.plugins(0).state(), v1::PluginInfo::LOADED);
  EXPECT_EQ(run("calm").code(), 0);
}

TEST(IsolationE2E, ReplacingAnIsolatedPluginStopsItsOldWorkers) {
  TempPluginDir dir;
  dir.AddFrom(std::string(DOCANALYSIS_FAULT_DIR) + "/noisy", "noisy");
  ServerProcess server(dir.path(), {"--plugin_workers=1", "--watch_interval_ms=0"});
  ASSERT_FALSE(server.target().empty());
  auto stub = v1::DocumentAnalysis::NewStub(grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
  long first_rss = 0;
  for (int i = 0; i < 50; ++i) {
    v1::AnalyzeResponse r;
    ASSERT_TRUE(stub->Analyze(Ctx().get(), Request("calm", {"noisy"}), &r).ok());
    ASSERT_EQ(r.plugin_runs(0).code(), 0);
    std::map<pid_t, char> children = Children(server.pid());
    EXPECT_EQ(children.size(), 1u) << "replacement " << i;
    EXPECT_EQ(OpenFds(server.pid()).memfds, 1);
    std::ifstream statm("/proc/" + std::to_string(server.pid()) + "/statm");
    long size = 0, rss = 0;
    statm >> size >> rss;
    if (i == 5) first_rss = rss;
    // (Not under a sanitizer: ASan's quarantine keeps freed memory resident.)
    if (i == 49 && !kUnderSanitizer) EXPECT_LE(rss, first_rss + 2560) << "resident pages grew over 45 replacements";  // 10 MiB
    // Force a reload: the old pool is stopped once its requests end.
    kill(server.pid(), SIGHUP);
    for (int k = 0; k < 100; ++k) {
      usleep(20 * 1000);
      std::map<pid_t, char> now = Children(server.pid());
      if (now.size() == 1 && now.begin()->first != children.begin()->first) break;
    }
  }
}

}  // namespace
}  // namespace docanalysis
