// One built-in plugin (DOCANALYSIS_FUZZ_PLUGIN: entity, sentiment, summary or syntax), loaded from its
// staged folder the way the server loads it, run through its analyze on any valid UTF-8 with the
// host's own segmentation, and with random option values taken from the input. The plugin must
// return a status (never crash) and the host's collector must accept what it wrote.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "service/testing/plugin_runner.h"
#include "service/text/utf8.h"

namespace {

const docanalysis::testing::PluginRunner& Runner() {
  static auto* runner = [] {
    auto r = docanalysis::testing::PluginRunner::Load(std::string(DOCANALYSIS_BUILTIN_PLUGIN_DIR) + "/" +
                                                      DOCANALYSIS_FUZZ_PLUGIN);
    FUZZ_CHECK(r.ok());
    return r->release();
  }();
  return *runner;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // An optional first line "key=value" becomes a request option (the plugin must validate it).
  std::vector<std::pair<std::string, std::string>> options;
  if (in.size() > 2 && in[0] == '#') {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(1, nl == std::string_view::npos ? in.size() - 1 : nl - 1);
    size_t eq = line.find('=');
    if (eq != std::string_view::npos) options.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  if (text::FirstInvalidUtf8(in) != std::string_view::npos) return -1;
  testing::PluginRun run = Runner().Run(in, options);
  if (!run.status.ok()) FUZZ_CHECK(run.status.code() != absl::StatusCode::kOk);
  FUZZ_CHECK(run.results != nullptr);
  for (const auto& m : run.results->mentions) {
    FUZZ_CHECK(m.begin <= m.end);
    FUZZ_CHECK(m.end <= run.text.size());
  }
  return 0;
}
