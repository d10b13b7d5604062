// The plugin manifest parser: any bytes give a manifest or a clear error, never a crash; a parsed
// manifest is self-consistent.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "service/plugin_host/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto m = ParseManifest(json, "fuzz/plugin.json");
  if (!m.ok()) {
    FUZZ_CHECK(!m.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!m->name.empty());
  FUZZ_CHECK(!m->library.empty());
  return 0;
}
