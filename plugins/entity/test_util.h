// Test helpers: a minimal in-process host for calling a plugin through the real C ABI structs,
// and segmentation with the host's segmenter when the build has it.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_TEST_UTIL_H_
#define DOCANALYSIS_PLUGINS_ENTITY_TEST_UTIL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conll.h"
#include "docanalysis/plugin.h"

#ifdef DOCANALYSIS_ENTITY_HOST_SEGMENTER
#include "service/text/segmenter.h"
#endif

namespace docanalysis::entity::testing {

inline Segmented SegmentForTest(std::string_view text) {
#ifdef DOCANALYSIS_ENTITY_HOST_SEGMENTER
  docanalysis::text::Segmentation s = docanalysis::text::Segment(text);
  Segmented out;
  out.tokens = std::move(s.tokens);
  out.sentences = std::move(s.sentences);
  return out;
#else
  return WhitespaceSegment(text);
#endif
}

struct FoundMention {
  std::string text;
  int32_t type;
  float confidence;
  std::string canonical;
  uint32_t begin, end;
};

// Runs `plugin.Analyze` on `text` with `options`, the way the host does: the document view and
// the sink are the C ABI structs, and the sink callbacks copy what they receive.
struct AnalyzeResult {
  docanalysis::Status status;
  std::vector<FoundMention> mentions;
  std::string error;
};

inline AnalyzeResult RunPlugin(docanalysis::Plugin& plugin, const std::string& text,
                               const std::map<std::string, std::string>& options = {}) {
  Segmented seg = SegmentForTest(text);
  std::vector<docanalysis_option> opts;
  for (const auto& [k, v] : options) opts.push_back({ToStr(k), ToStr(v)});
  docanalysis_document d{};
  d.text = ToStr(text);
  d.tokens = seg.tokens.data();
  d.token_count = seg.tokens.size();
  d.sentences = seg.sentences.data();
  d.sentence_count = seg.sentences.size();
  d.options = opts.data();
  d.option_count = opts.size();
  AnalyzeResult result;
  struct Ctx {
    const std::string* text;
    AnalyzeResult* result;
  } ctx{&text, &result};
  docanalysis_sink s{};
  s.ctx = &ctx;
  s.add_entity_mention = [](void* c, uint32_t b, uint32_t e, int32_t type, float conf, docanalysis_str canonical) {
    auto* x = static_cast<Ctx*>(c);
    x->result->mentions.push_back({x->text->substr(b, e - b), type, conf, std::string(ToView(canonical)), b, e});
  };
  s.set_error = [](void* c, docanalysis_str m) { static_cast<Ctx*>(c)->result->error = std::string(ToView(m)); };
  docanalysis::Document doc(d);
  docanalysis::Sink sink(s);
  result.status = plugin.Analyze(doc, sink);
  return result;
}

inline docanalysis::PluginConfig ConfigFor(const std::string& dir, const std::map<std::string, std::string>& options) {
  std::vector<docanalysis_option> opts;
  for (const auto& [k, v] : options) opts.push_back({ToStr(k), ToStr(v)});
  docanalysis_create_args args{};
  args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
  args.host_abi_minor = DOCANALYSIS_ABI_MINOR;
  args.plugin_dir = ToStr(dir);
  args.options = opts.data();
  args.option_count = opts.size();
  return docanalysis::PluginConfig(args);  // copies everything
}

}  // namespace docanalysis::entity::testing

#endif  // DOCANALYSIS_PLUGINS_ENTITY_TEST_UTIL_H_
