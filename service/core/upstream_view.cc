#include "service/core/upstream_view.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"

namespace docanalysis {
namespace {

std::string_view StripPossessive(std::string_view s) {
  for (std::string_view suffix : {"'s", "\xE2\x80\x99s"}) {
    if (s.size() > suffix.size() + 1 && s.substr(s.size() - suffix.size()) == suffix)
      return s.substr(0, s.size() - suffix.size());
  }
  return s;
}

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

std::string_view LastWord(std::string_view s) {
  size_t sp = s.find_last_of(" \t\n");
  return sp == std::string_view::npos ? s : s.substr(sp + 1);
}

}  // namespace

bool ProvidesAnyOf(const std::vector<std::string>& provides, const std::vector<std::string>& needs) {
  for (const auto& f : provides)
    if (std::find(needs.begin(), needs.end(), f) != needs.end()) return true;
  return false;
}

docanalysis_str UpstreamView::Keep(std::string_view s) {
  strings_.emplace_back(s);
  return {strings_.back().data(), strings_.back().size()};
}

UpstreamView::UpstreamView(std::string_view text,
                           const std::vector<std::pair<std::string, const ResultCollector*>>& sources) {
  // Mentions, in text order (longer first at one start), duplicates across plugins dropped.
  struct Item {
    const ResultCollector::Mention* m;
    size_t source;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < sources.size(); ++i)
    for (const auto& m : sources[i].second->mentions) items.push_back({&m, i});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.m->begin < b.m->begin || (a.m->begin == b.m->begin && a.m->end > b.m->end);
  });
  std::vector<docanalysis_str> plugin_names;
  for (const auto& [name, c] : sources) plugin_names.push_back(Keep(name));
  std::vector<std::pair<std::string, docanalysis_str>> full_names;  // (lower-cased last word, canonical), PERSON
  const docanalysis_upstream_mention* last = nullptr;
  a_.mentions.reserve(items.size());
  for (const Item& it : items) {
    const ResultCollector::Mention& m = *it.m;
    if (last && last->begin == m.begin && last->end == m.end && last->type == m.type) continue;
    std::string_view surface = StripPossessive(text.substr(m.begin, m.end - m.begin));
    docanalysis_str canonical{};
    if (!m.canonical.empty()) {
      canonical = Keep(m.canonical);
    } else if (m.type == DOCANALYSIS_ENTITY_PERSON && surface.find(' ') == std::string_view::npos) {
      std::string key = Lower(surface);
      for (auto f = full_names.rbegin(); f != full_names.rend(); ++f)
        if (f->first == key) { canonical = f->second; break; }
    }
    if (canonical.data == nullptr) canonical = Keep(surface);
    std::string_view cv(canonical.data, canonical.size);
    if (m.type == DOCANALYSIS_ENTITY_PERSON && cv.find(' ') != std::string_view::npos)
      full_names.emplace_back(Lower(LastWord(cv)), canonical);
    a_.mentions.push_back({m.begin, m.end, m.type, m.confidence, canonical, plugin_names[it.source]});
    last = &a_.mentions.back();
  }

  // Sentiment and summary: the first plugin to set a sentence wins.
  std::map<uint32_t, docanalysis_upstream_sentiment> sentiments;
  std::map<uint32_t, float> summary;
  for (const auto& [name, c] : sources) {
    for (const auto& [i, s] : c->sentence_sentiments) sentiments.emplace(i, docanalysis_upstream_sentiment{i, s.score(), s.magnitude()});
    for (const auto& [i, score] : c->summary) summary.emplace(i, score);
    if (c->document_sentiment && !view_.has_document_sentiment) {
      view_.has_document_sentiment = 1;
      view_.document_sentiment = {0, c->document_sentiment->score(), c->document_sentiment->magnitude()};
    }
  }
  for (const auto& [i, s] : sentiments) a_.sentence_sentiments.push_back(s);
  for (const auto& [i, score] : summary) a_.summary.push_back({i, score});

  // Annotations and labels, in run order then in the order each plugin wrote them.
  for (size_t i = 0; i < sources.size(); ++i) {
    const ResultCollector& c = *sources[i].second;
    for (const auto& a : c.annotations) {
      std::vector<docanalysis_option> attrs;
      for (const auto& [k, v] : a.attributes) attrs.push_back({Keep(k), Keep(v)});
      a_.attributes.push_back(std::move(attrs));
    }
  }
  size_t attr_index = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    const ResultCollector& c = *sources[i].second;
    for (const auto& a : c.annotations) {
      const auto& attrs = a_.attributes[attr_index++];
      a_.annotations.push_back({plugin_names[i], Keep(a.label), a.begin, a.end, a.score, attrs.data(), attrs.size()});
    }
    for (const auto& l : c.labels) a_.labels.push_back({plugin_names[i], Keep(l.name), Keep(l.value), l.score});
  }

  a_.PointInto(&view_);
}

void UpstreamArrays::PointInto(docanalysis_upstream* view) const {
  view->mentions = mentions.data();
  view->mention_count = mentions.size();
  view->sentence_sentiments = sentence_sentiments.data();
  view->sentence_sentiment_count = sentence_sentiments.size();
  view->summary = summary.data();
  view->summary_count = summary.size();
  view->annotations = annotations.data();
  view->annotation_count = annotations.size();
  view->labels = labels.data();
  view->label_count = labels.size();
}

}  // namespace docanalysis
