// The upstream view of ABI 1.1: a read-only copy, in the ABI's plain-C shape, of what the plugins
// that one plugin needs wrote for one document, handed to that plugin as
// docanalysis_document.upstream.
//
// Mentions come in text order with the canonical name of the entity the host would group them
// into (the plugin's own canonical name; else, for a one-word PERSON mention, the latest earlier
// full PERSON name ending with that word; else the mention's text without a possessive 's).
// Sentence sentiments and summary sentences come in sentence order; when two needed plugins set
// the same sentence, the first one (in run order) wins, as in the merged response.
//
// OWNERSHIP: owns every array and string that view() points to; borrows `text` and the collectors,
// which must outlive it. LIFETIME: build it right before the dependent plugin runs, keep it until
// that call returns. THREADING: immutable after construction; view() may be read from any thread.
//
//   UpstreamView up(text, {{"entity", &entity_results}});
//   doc.upstream = up.view();
#ifndef DOCANALYSIS_SERVICE_CORE_UPSTREAM_VIEW_H_
#define DOCANALYSIS_SERVICE_CORE_UPSTREAM_VIEW_H_

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "service/core/result_collector.h"

namespace docanalysis {

// The arrays behind a docanalysis_upstream. UpstreamView fills them from the plugins' results; a
// plugin worker's DecodedUpstream (service/worker/upstream_codec.h) from the shared-memory region.
struct UpstreamArrays {
  std::vector<docanalysis_upstream_mention> mentions;
  std::vector<docanalysis_upstream_sentiment> sentence_sentiments;
  std::vector<docanalysis_upstream_summary_sentence> summary;
  std::vector<std::vector<docanalysis_option>> attributes;  // one list per annotation
  std::vector<docanalysis_upstream_annotation> annotations;
  std::vector<docanalysis_upstream_label> labels;
  // Points the array fields of `view` (and their counts) at these vectors.
  void PointInto(docanalysis_upstream* view) const;
};

class UpstreamView {
 public:
  // `sources`: (plugin name, its results) for each needed plugin that ran and succeeded, in run order.
  UpstreamView(std::string_view text, const std::vector<std::pair<std::string, const ResultCollector*>>& sources);
  UpstreamView(const UpstreamView&) = delete;
  UpstreamView& operator=(const UpstreamView&) = delete;

  const docanalysis_upstream* view() const { return &view_; }

 private:
  docanalysis_str Keep(std::string_view s);

  std::deque<std::string> strings_;  // stable addresses
  UpstreamArrays a_;
  docanalysis_upstream view_{};
};

// The names of the features `needs` resolved to plugins: true when plugin `provider` (providing
// `provides`) is one that a plugin with `needs` reads upstream results from.
bool ProvidesAnyOf(const std::vector<std::string>& provides, const std::vector<std::string>& needs);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_UPSTREAM_VIEW_H_
