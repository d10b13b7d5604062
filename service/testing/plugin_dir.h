// Test helper: a temporary plugin folder filled with copies of fixture plugin folders.
#ifndef DOCANALYSIS_SERVICE_TESTING_PLUGIN_DIR_H_
#define DOCANALYSIS_SERVICE_TESTING_PLUGIN_DIR_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace docanalysis::testing {

class TempPluginDir {
 public:
  TempPluginDir() {
    static std::atomic<int> n{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("docanalysis-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++)))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempPluginDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  // Copies fixture `fixture` (a folder of DOCANALYSIS_FIXTURE_DIR) to `as` in this folder, the
  // manifest last, the way an operator's `cp -r` would finish.
  void Add(const std::string& fixture, const std::string& as = "") const { AddFrom(FixtureDir() + "/" + fixture, as.empty() ? fixture : as); }

  void AddFrom(const std::string& source, const std::string& as) const {
    namespace fs = std::filesystem;
    fs::path dst = fs::path(path_) / as;
    fs::create_directories(dst);
    for (const auto& e : fs::directory_iterator(source)) {
      if (e.path().filename() == "plugin.json") continue;
      fs::copy(e.path(), dst / e.path().filename(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
    fs::copy_file(fs::path(source) / "plugin.json", dst / "plugin.json", fs::copy_options::overwrite_existing);
  }

  void Remove(const std::string& name) const { std::filesystem::remove_all(std::filesystem::path(path_) / name); }

  static std::string FixtureDir() { return DOCANALYSIS_FIXTURE_DIR; }

 private:
  std::string path_;
};

}  // namespace docanalysis::testing

#endif  // DOCANALYSIS_SERVICE_TESTING_PLUGIN_DIR_H_
