// A request as it arrives on the wire: parsed as an AnalyzeRequest (the edge's parse), then the
// whole request path of the core with the three built-in plugins: validation, HTML reduction,
// segmentation, planning, every plugin, the merge and offset conversion. Any bytes must give a
// response or a clear error status; a response's spans lie inside the document.
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_util.h"
#include "service/core/analysis_service.h"
#include "service/plugin_host/plugin_registry.h"

namespace {

docanalysis::AnalysisService* Service() {
  static docanalysis::PluginRegistry* registry = [] {
    docanalysis::PluginRegistryOptions o;
    o.plugin_dir = DOCANALYSIS_BUILTIN_PLUGIN_DIR;
    auto* r = new docanalysis::PluginRegistry(o);
    r->Rescan(/*force=*/true);
    FUZZ_CHECK(r->Snapshot()->plugins().size() >= 3);
    return r;
  }();
  static auto* service = new docanalysis::AnalysisService(registry, docanalysis::AnalysisOptions{});
  return service;
}

void CheckSpan(const docanalysis::v1::TextSpan& span) {
  FUZZ_CHECK(span.begin_offset() >= 0);
  FUZZ_CHECK(span.begin_offset() <= span.end_offset());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docanalysis;
  if (size > fuzz::kMaxInput) return -1;
  v1::AnalyzeRequest req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return 0;  // the edge answers INVALID_ARGUMENT
  RequestContext ctx;
  ctx.deadline = absl::Now() + absl::Seconds(10);
  auto r = Service()->Analyze(req, ctx);
  if (!r.ok()) {
    FUZZ_CHECK(!r.status().message().empty());
    return 0;
  }
  for (const auto& s : r->sentences()) CheckSpan(s.text());
  for (const auto& e : r->entities())
    for (const auto& m : e.mentions()) CheckSpan(m.text());
  for (const auto& a : r->annotations()) CheckSpan(a.text());
  std::string wire;
  FUZZ_CHECK(r->SerializeToString(&wire));
  return 0;
}
