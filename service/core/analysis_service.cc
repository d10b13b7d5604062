#include "service/core/analysis_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "service/core/result_collector.h"
#include "service/text/cancel.h"
#include "service/text/html.h"
#include "service/text/segmenter.h"
#include "service/text/utf8.h"

namespace docanalysis {
namespace {

std::string_view View(docanalysis_str s) { return std::string_view(s.data ? s.data : "", s.size); }


// What a plugin's is_cancelled callback looks at.
struct CancelState {
  absl::Time budget_end;
  const RequestContext* ctx;
  bool Cancelled() const {
    if (absl::Now() >= budget_end) return true;
    return ctx->is_cancelled && ctx->is_cancelled();
  }
  static int Poll(void* p) { return static_cast<const CancelState*>(p)->Cancelled() ? 1 : 0; }
};

// A plugin chosen for this request and the features it runs for.
struct PlannedRun {
  const LoadedPlugin* plugin;
  std::vector<std::string> features;
};

absl::StatusOr<std::vector<PlannedRun>> Plan(const PluginSnapshot& snap, const v1::AnalyzeRequest& req) {
  std::map<const LoadedPlugin*, std::vector<std::string>> chosen;
  if (req.features().empty()) {
    for (const auto& p : snap.plugins())
      if (p->manifest().default_enabled) chosen[p.get()] = p->manifest().provides;
  } else {
    std::vector<std::string> unknown;
    for (const auto& f : req.features()) {
      const LoadedPlugin* p = snap.FindByFeature(f);
      if (p == nullptr) { unknown.push_back(f); continue; }
      auto& fs = chosen[p];
      if (std::find(fs.begin(), fs.end(), f) == fs.end()) fs.push_back(f);
    }
    if (!unknown.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown feature", unknown.size() > 1 ? "s " : " ", "\"", absl::StrJoin(unknown, "\", \""),
          "\"; known features: ", snap.Features().empty() ? "(no plugins loaded)" : absl::StrJoin(snap.Features(), ", ")));
    }
  }
  // Add what the chosen plugins need, transitively.
  std::vector<const LoadedPlugin*> todo;
  for (const auto& [p, f] : chosen) todo.push_back(p);
  while (!todo.empty()) {
    const LoadedPlugin* p = todo.back();
    todo.pop_back();
    for (const auto& need : p->manifest().needs) {
      const LoadedPlugin* q = snap.FindByFeature(need);
      if (q == nullptr || q == p) continue;  // an unmet need does not block: the plugin sees no such results
      auto [it, inserted] = chosen.try_emplace(q);
      if (std::find(it->second.begin(), it->second.end(), need) == it->second.end()) it->second.push_back(need);
      if (inserted) todo.push_back(q);
    }
  }
  // Order: a plugin runs after the providers of what it needs (Kahn's algorithm, ties by name).
  std::vector<PlannedRun> order;
  std::set<const LoadedPlugin*> done;
  std::vector<const LoadedPlugin*> pending;
  for (const auto& [p, f] : chosen) pending.push_back(p);
  std::sort(pending.begin(), pending.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const LoadedPlugin* p) {
      for (const auto& need : p->manifest().needs) {
        const LoadedPlugin* q = snap.FindByFeature(need);
        if (q != nullptr && q != p && chosen.count(q) && !done.count(q)) return false;
      }
      return true;
    });
    if (ready == pending.end()) ready = pending.begin();  // a cycle: break it by name order
    done.insert(*ready);
    order.push_back({*ready, chosen[*ready]});
    pending.erase(ready);
  }
  return order;
}

// Options for one plugin: manifest defaults, overridden by request options "<plugin>.<key>" or
// "<feature>.<key>" for a feature the plugin provides.
std::vector<docanalysis_option> PluginOptions(const LoadedPlugin& p, const v1::AnalyzeRequest& req) {
  std::vector<docanalysis_option> out;
  out.reserve(p.manifest().options.size() + static_cast<size_t>(req.options_size()));
  auto set = [&out](std::string_view k, std::string_view v) {
    for (auto& o : out)
      if (View(o.key) == k) { o.value = {v.data(), v.size()}; return; }
    out.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  };
  for (const auto& [k, v] : p.manifest().options) set(k, v);
  for (const auto& [k, v] : req.options()) {
    std::string_view key(k);
    size_t dot = key.find('.');
    if (dot == std::string_view::npos) continue;
    std::string_view prefix = key.substr(0, dot);
    bool mine = prefix == p.name();
    for (const auto& f : p.manifest().provides) mine |= prefix == f;
    if (mine) set(key.substr(dot + 1), v);
  }
  return out;
}

absl::Status CheckOptions(const PluginSnapshot& snap, const v1::AnalyzeRequest& req) {
  for (const auto& [k, v] : req.options()) {
    size_t dot = k.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == k.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("option \"", k, "\" must be \"<plugin or feature>.<key>\", e.g. \"summary.max_sentences\""));
    }
    std::string prefix = k.substr(0, dot);
    if (snap.FindByName(prefix) == nullptr && snap.FindByFeature(prefix) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("option \"", k, "\" names no loaded plugin or feature \"", prefix,
                                                     "\"; known features: ", absl::StrJoin(snap.Features(), ", ")));
    }
  }
  return absl::OkStatus();
}

// Key under which mentions of one entity are grouped: lower-cased, whitespace collapsed,
// possessive removed.
std::string NormalizeName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) { space = !out.empty(); continue; }
    if (space) out.push_back(' '), space = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  for (std::string_view suffix : {"'s", "\xE2\x80\x99s"}) {
    if (out.size() > suffix.size() + 1 && std::string_view(out).substr(out.size() - suffix.size()) == suffix)
      out.resize(out.size() - suffix.size());
  }
  return out;
}

std::string_view LastWord(std::string_view s) {
  size_t sp = s.rfind(' ');
  return sp == std::string_view::npos ? s : s.substr(sp + 1);
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Converts pipeline byte offsets into spans of the caller's document in the caller's encoding.
class SpanMaker {
 public:
  SpanMaker(std::string_view text, std::string_view source, const std::vector<uint32_t>* source_offsets,
            text::OffsetUnit unit)
      : text_(text), source_(source), source_offsets_(source_offsets), conv_(source, unit) {}

  void Fill(uint32_t b, uint32_t e, v1::TextSpan* span) const {
    span->set_content(std::string(text_.substr(b, e - b)));
    span->set_begin_offset(static_cast<int32_t>(conv_.Convert(source_offsets_ ? (*source_offsets_)[b] : b)));
    span->set_end_offset(static_cast<int32_t>(conv_.Convert(source_offsets_ ? SourceEnd(b, e) : e)));
  }

 private:
  // The end of [b, e) in the HTML source: just past the source form of its last character, which
  // is either the character itself or a character reference (&eacute;).
  uint32_t SourceEnd(uint32_t b, uint32_t e) const {
    if (e == b) return (*source_offsets_)[b];
    uint32_t last = e - 1;
    while (last > b && (static_cast<unsigned char>(text_[last]) & 0xC0) == 0x80) --last;
    uint32_t src = (*source_offsets_)[last];
    if (src >= source_.size()) return static_cast<uint32_t>(source_.size());
    if (source_[src] == '&' && text_[last] != '&') {
      size_t semi = source_.substr(src, 40).find(';');  // bounded: the longest reference is 33 bytes
      if (semi != std::string_view::npos) return static_cast<uint32_t>(src + semi + 1);
    }
    unsigned char lead = static_cast<unsigned char>(source_[src]);
    uint32_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return std::min<uint32_t>(src + len, static_cast<uint32_t>(source_.size()));
  }

  std::string_view text_;
  std::string_view source_;
  const std::vector<uint32_t>* source_offsets_;
  text::OffsetConverter conv_;
};

float TypeWeight(int32_t type) {
  switch (type) {
    case DOCANALYSIS_ENTITY_PERSON: case DOCANALYSIS_ENTITY_ORGANIZATION: case DOCANALYSIS_ENTITY_LOCATION:
      return 1.0f;
    case DOCANALYSIS_ENTITY_MISC: return 0.8f;
    default: return 0.3f;
  }
}

}  // namespace

// A request that names no features gets every default plugin, so its plan depends on the snapshot
// alone: it is made once per snapshot instead of once per request.
struct AnalysisService::PlanCache {
  std::shared_ptr<const std::vector<PlannedRun>> DefaultPlan(const std::shared_ptr<const PluginSnapshot>& snap) {
    std::lock_guard<std::mutex> lock(mu);
    // The plan points into the snapshot's plugins: it is used only while the caller holds that very
    // snapshot. A weak reference, so that the cache never keeps an unloaded plugin alive.
    if (snapshot.lock() != snap) {
      absl::StatusOr<std::vector<PlannedRun>> p = Plan(*snap, v1::AnalyzeRequest::default_instance());
      plan = std::make_shared<const std::vector<PlannedRun>>(p.ok() ? *std::move(p) : std::vector<PlannedRun>{});
      snapshot = snap;
    }
    return plan;
  }
  std::mutex mu;
  std::weak_ptr<const PluginSnapshot> snapshot;
  std::shared_ptr<const std::vector<PlannedRun>> plan;
};

AnalysisService::AnalysisService(const PluginRegistry* registry, AnalysisOptions options)
    : registry_(registry), options_(std::move(options)), plan_cache_(std::make_shared<PlanCache>()) {}

absl::StatusOr<v1::AnalyzeResponse> AnalysisService::Analyze(const v1::AnalyzeRequest& req,
                                                             const RequestContext& ctx) const {
  v1::AnalyzeResponse resp;
  if (absl::Status s = AnalyzeInto(req, ctx, &resp); !s.ok()) return s;
  return resp;
}

absl::Status AnalysisService::AnalyzeInto(const v1::AnalyzeRequest& req, const RequestContext& ctx,
                                          v1::AnalyzeResponse* out) const {
  const v1::Document& doc = req.document();
  if (absl::Now() >= ctx.deadline) return absl::DeadlineExceededError("deadline exceeded before the analysis started");
  if (ctx.is_cancelled && ctx.is_cancelled()) return absl::CancelledError("the caller cancelled the request");
  const bool raw = doc.source_case() == v1::Document::kRawContent;
  std::string_view source = raw ? std::string_view(doc.raw_content()) : std::string_view(doc.content());
  if (source.size() > options_.max_document_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("document is ", source.size(), " bytes, over the limit of ",
                                                     options_.max_document_bytes,
                                                     " bytes (--max_document_bytes); split it or raise the limit"));
  }
  if (absl::Status s = text::ValidateUtf8(source, raw ? "document.raw_content" : "document.content"); !s.ok()) return s;
  std::shared_ptr<const PluginSnapshot> snap = registry_->Snapshot();
  std::shared_ptr<const std::vector<PlannedRun>> plan;
  if (req.features().empty()) {
    plan = plan_cache_->DefaultPlan(snap);
  } else {
    absl::StatusOr<std::vector<PlannedRun>> named = Plan(*snap, req);
    if (!named.ok()) return named.status();
    plan = std::make_shared<const std::vector<PlannedRun>>(*std::move(named));
  }
  if (absl::Status s = CheckOptions(*snap, req); !s.ok()) return s;
  if (snap->plugins().empty()) return absl::UnavailableError("no plugins are loaded yet");

  // The text pipeline, once per document. Each stage polls the request's cancellation, so a
  // request past its deadline or abandoned by its caller stops costing CPU mid-document.
  const std::function<bool()> stop = [&ctx] {
    return absl::Now() >= ctx.deadline || (ctx.is_cancelled && ctx.is_cancelled());
  };
  auto stopped = [&ctx](const char* stage) {
    if (absl::Now() >= ctx.deadline)
      return absl::DeadlineExceededError(absl::StrCat("deadline exceeded during ", stage));
    return absl::CancelledError(absl::StrCat("the caller cancelled the request during ", stage));
  };
  text::CancelCheck cancel(&stop);
  std::optional<text::HtmlText> html;
  std::string_view analysed = source;
  if (doc.type() == v1::Document::HTML) {
    auto h = text::ExtractHtmlText(source, &cancel);
    if (cancel.cancelled()) return stopped("HTML reduction");
    if (!h.ok()) return h.status();
    html = std::move(*h);
    analysed = html->text;
  }
  text::Segmentation seg;
  if (!text::Segment(analysed, &cancel, &seg)) return stopped("segmentation");
  std::vector<std::string_view> features_view;

  v1::AnalyzeResponse& resp = *out;
  resp.set_document_id(doc.id());
  resp.set_language(doc.language().empty() ? "en" : doc.language());
  resp.set_token_count(static_cast<int32_t>(seg.tokens.size()));

  std::vector<std::pair<const PlannedRun*, ResultCollector>> results;
  results.reserve(plan->size());
  for (const PlannedRun& run : *plan) {
    const absl::Time now = absl::Now();
    if (ctx.is_cancelled && ctx.is_cancelled()) return absl::CancelledError("the caller cancelled the request");
    if (now >= ctx.deadline) {
      return absl::DeadlineExceededError(absl::StrCat("deadline exceeded before plugin ", run.plugin->name(), " ran"));
    }
    const PluginManifest& m = run.plugin->manifest();
    int64_t budget_ms = options_.plugin_timeout_ms > 0 ? options_.plugin_timeout_ms : m.timeout_ms;
    CancelState cancel{std::min(ctx.deadline, now + absl::Milliseconds(budget_ms)), &ctx};
    std::vector<docanalysis_option> opts = PluginOptions(*run.plugin, req);
    std::vector<docanalysis_str> feats;
    feats.reserve(run.features.size());
    for (const auto& f : run.features) feats.push_back({f.data(), f.size()});
    docanalysis_document d{};
    d.id = {doc.id().data(), doc.id().size()};
    d.text = {analysed.data(), analysed.size()};
    d.language = {resp.language().data(), resp.language().size()};
    d.tokens = seg.tokens.data();
    d.token_count = seg.tokens.size();
    d.sentences = seg.sentences.data();
    d.sentence_count = seg.sentences.size();
    d.options = opts.data();
    d.option_count = opts.size();
    d.features = feats.data();
    d.feature_count = feats.size();
    d.is_cancelled = &CancelState::Poll;
    d.cancel_ctx = &cancel;

    ResultCollector c;
    c.text = analysed;
    c.sentence_count = seg.sentences.size();
    c.max_results = 16 * (seg.tokens.size() + seg.sentences.size()) + 4096;
    docanalysis_sink sink = c.Sink();
    absl::Status st = run.plugin->Analyze(d, sink);
    const absl::Time end = absl::Now();

    v1::PluginRun* pr = resp.add_plugin_runs();
    pr->set_plugin(m.name);
    pr->set_version(m.version);
    pr->set_latency_us(absl::ToInt64Microseconds(end - now));
    for (const auto& f : run.features) pr->add_features(f);
    if (st.ok() && c.overflowed()) {
      st = absl::ResourceExhaustedError(absl::StrCat(
          "plugin wrote more than its cap of ", c.max_results, " results or ", c.max_bytes >> 20,
          " MiB for this document; its results were dropped"));
    }
    if (st.ok() && end > cancel.budget_end && end < ctx.deadline) {
      st = absl::DeadlineExceededError(
          absl::StrCat("plugin ran ", absl::ToInt64Milliseconds(end - now), " ms, past its budget of ", budget_ms, " ms"));
    }
    if (!st.ok() && end >= cancel.budget_end && end < ctx.deadline && st.code() == absl::StatusCode::kCancelled) {
      st = absl::DeadlineExceededError(absl::StrCat("plugin stopped at its time budget of ", budget_ms, " ms"));
      c.error.clear();
    }
    if (!st.ok()) {
      pr->set_code(static_cast<int32_t>(st.code()));
      std::string msg = !c.error.empty() ? c.error : std::string(st.message());
      if (st.code() == absl::StatusCode::kDeadlineExceeded && c.error.empty())
        msg = end >= ctx.deadline ? "stopped at the request deadline" : std::string(st.message());
      if (msg.empty()) msg = "plugin failed without a message";
      pr->set_message(msg);
    } else {
      pr->set_code(0);
      if (c.rejected > 0) pr->set_message(absl::StrCat(c.rejected, " results with invalid offsets or indices were ignored"));
      results.emplace_back(&run, std::move(c));
    }
    if (options_.on_plugin_run) options_.on_plugin_run(*pr);
    if (ctx.is_cancelled && ctx.is_cancelled()) return absl::CancelledError("the caller cancelled the request");
    if (absl::Now() >= ctx.deadline) {
      return absl::DeadlineExceededError(absl::StrCat("deadline exceeded while plugin ", m.name, " ran"));
    }
  }

  // Merge. Offsets are converted once, here.
  text::OffsetUnit unit = req.encoding_type() == v1::UTF16   ? text::OffsetUnit::kUtf16CodeUnits
                          : req.encoding_type() == v1::UTF32 ? text::OffsetUnit::kCodePoints
                                                             : text::OffsetUnit::kUtf8Bytes;
  SpanMaker spans(analysed, source, html ? &html->source_offsets : nullptr, unit);
  auto sentence_of = [&seg](uint32_t offset) -> int32_t {
    auto it = std::upper_bound(seg.sentences.begin(), seg.sentences.end(), offset,
                               [](uint32_t o, const docanalysis_sentence& s) { return o < s.begin; });
    return it == seg.sentences.begin() ? 0 : static_cast<int32_t>(it - seg.sentences.begin() - 1);
  };

  std::vector<std::optional<v1::Sentiment>> sentence_sentiment(seg.sentences.size());
  for (auto& [run, c] : results) {
    for (const auto& [i, s] : c.sentence_sentiments)
      if (!sentence_sentiment[i]) sentence_sentiment[i] = s;
    if (c.document_sentiment && !resp.has_document_sentiment()) *resp.mutable_document_sentiment() = *c.document_sentiment;
  }
  for (size_t i = 0; i < seg.sentences.size(); ++i) {
    v1::Sentence* s = resp.add_sentences();
    spans.Fill(seg.sentences[i].begin, seg.sentences[i].end, s->mutable_text());
    if (sentence_sentiment[i]) *s->mutable_sentiment() = *sentence_sentiment[i];
  }

  // Entities: mentions grouped by canonical name within a type.
  struct Group {
    int32_t type;
    std::string key;
    std::string name;
    std::vector<const ResultCollector::Mention*> mentions;
    std::string plugin;
    float weight = 0;
  };
  std::vector<const ResultCollector::Mention*> all;
  absl::flat_hash_map<const ResultCollector::Mention*, std::string> plugin_of;
  for (auto& [run, c] : results)
    for (const auto& mention : c.mentions) all.push_back(&mention), plugin_of[&mention] = run->plugin->name();
  std::stable_sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->begin < b->begin || (a->begin == b->begin && a->end > b->end); });
  std::vector<Group> groups;
  absl::flat_hash_map<std::string, size_t> group_index;
  // Last word of each multi-word PERSON group -> the latest such group, for surname linking.
  absl::flat_hash_map<std::string, size_t> person_by_surname;
  uint32_t last_begin = UINT32_MAX, last_end = 0;
  int32_t last_type = -1;
  for (const auto* mention : all) {
    if (cancel.Poll()) return stopped("the merge");
    if (mention->begin == last_begin && mention->end == last_end && mention->type == last_type) continue;  // duplicate
    last_begin = mention->begin, last_end = mention->end, last_type = mention->type;
    std::string_view surface = analysed.substr(mention->begin, mention->end - mention->begin);
    std::string key = absl::StrCat(mention->type, ":", NormalizeName(mention->canonical.empty() ? surface : mention->canonical));
    auto it = group_index.find(key);
    if (it == group_index.end() && mention->type == DOCANALYSIS_ENTITY_PERSON && mention->canonical.empty() &&
        surface.find(' ') == std::string_view::npos) {
      // A surname alone refers to the latest full name that ends with it ("Campbell" -> "Kurt M. Campbell").
      if (auto s = person_by_surname.find(NormalizeName(surface)); s != person_by_surname.end())
        it = group_index.emplace(key, s->second).first;
    }
    size_t g;
    if (it == group_index.end()) {
      g = groups.size();
      group_index.emplace(key, g);
      groups.push_back({mention->type, key.substr(key.find(':') + 1), "", {}, plugin_of[mention], 0});
      if (mention->type == DOCANALYSIS_ENTITY_PERSON && groups[g].key.find(' ') != std::string::npos)
        person_by_surname[std::string(LastWord(groups[g].key))] = g;
    } else {
      g = it->second;
    }
    Group& grp = groups[g];
    grp.mentions.push_back(mention);
    if (CodePoints(surface) > CodePoints(grp.name)) grp.name = std::string(surface);
    grp.weight += TypeWeight(mention->type) / (1.0f + 0.1f * static_cast<float>(sentence_of(mention->begin)));
  }
  float total = 0;
  for (const auto& g : groups) total += g.weight;
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups[a].weight > groups[b].weight; });
  for (size_t gi : order) {
    const Group& g = groups[gi];
    v1::Entity* e = resp.add_entities();
    e->set_name(g.name);
    e->set_type(static_cast<v1::EntityType>(g.type));
    e->set_salience(total > 0 ? g.weight / total : 0);
    (*e->mutable_metadata())["plugin"] = g.plugin;
    (*e->mutable_metadata())["mention_count"] = absl::StrCat(g.mentions.size());
    std::set<int32_t> sentences_seen;
    double score = 0, magnitude = 0;
    int n = 0;
    for (const auto* mention : g.mentions) {
      v1::EntityMention* em = e->add_mentions();
      spans.Fill(mention->begin, mention->end, em->mutable_text());
      em->set_confidence(mention->confidence);
      int32_t si = sentence_of(mention->begin);
      em->set_sentence_index(si);
      if (static_cast<size_t>(si) < sentence_sentiment.size() && sentence_sentiment[si] && sentences_seen.insert(si).second) {
        score += sentence_sentiment[si]->score();
        magnitude += sentence_sentiment[si]->magnitude();
        ++n;
      }
    }
    if (n > 0) {
      e->mutable_sentiment()->set_score(static_cast<float>(score / n));
      e->mutable_sentiment()->set_magnitude(static_cast<float>(magnitude / n));
    }
  }

  // Summary: chosen sentences in document order.
  std::map<uint32_t, float> picks;
  for (auto& [run, c] : results)
    for (const auto& [i, score] : c.summary) picks.emplace(i, score);
  std::string summary_text;
  for (const auto& [i, score] : picks) {
    v1::SummarySentence* s = resp.mutable_summary()->add_sentences();
    spans.Fill(seg.sentences[i].begin, seg.sentences[i].end, s->mutable_text());
    s->set_sentence_index(static_cast<int32_t>(i));
    s->set_score(score);
    if (!summary_text.empty()) summary_text.push_back(' ');
    summary_text.append(s->text().content());
  }
  if (!picks.empty()) resp.mutable_summary()->set_text(std::move(summary_text));

  // Generic results of plugins the contract does not model.
  for (auto& [run, c] : results) {
    for (const auto& a : c.annotations) {
      v1::Annotation* out = resp.add_annotations();
      out->set_plugin(run->plugin->name());
      out->set_label(a.label);
      spans.Fill(a.begin, a.end, out->mutable_text());
      out->set_score(a.score);
      for (const auto& [k, v] : a.attributes) (*out->mutable_attributes())[k] = v;
    }
    for (const auto& l : c.labels) {
      v1::Label* out = resp.add_labels();
      out->set_plugin(run->plugin->name());
      out->set_name(l.name);
      out->set_value(l.value);
      out->set_score(l.score);
    }
  }
  return absl::OkStatus();
}

void FillPluginInfo(const PluginStatus& status, v1::PluginInfo* info) {
  const PluginManifest& m = status.loaded ? status.loaded->manifest() : status.manifest;
  info->set_name(m.name.empty() ? status.folder_name : m.name);
  info->set_version(m.version);
  if (status.loaded) {
    info->set_abi_version(absl::StrCat(status.loaded->built_abi_major(), ".", status.loaded->built_abi_minor()));
  } else if (m.abi_major || m.abi_minor) {
    info->set_abi_version(absl::StrCat(m.abi_major, ".", m.abi_minor));
  }
  for (const auto& f : m.provides) info->add_features(f);
  for (const auto& f : m.needs) info->add_needs(f);
  info->set_state(status.last_error.empty() && status.loaded ? v1::PluginInfo::LOADED : v1::PluginInfo::FAILED);
  info->set_last_error(status.last_error);
  info->set_path(status.path);
  for (const auto& [k, v] : m.options) (*info->mutable_options())[k] = v;
  info->set_default_enabled(m.default_enabled);
}

v1::ListPluginsResponse AnalysisService::ListPlugins() const {
  v1::ListPluginsResponse out;
  for (const PluginStatus& s : registry_->Statuses()) FillPluginInfo(s, out.add_plugins());
  out.set_host_abi_version(absl::StrCat(DOCANALYSIS_ABI_MAJOR, ".", DOCANALYSIS_ABI_MINOR));
  return out;
}

}  // namespace docanalysis
