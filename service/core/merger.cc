#include "service/core/merger.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace docanalysis {
namespace {

std::string_view LastWord(std::string_view s) {
  size_t sp = s.rfind(' ');
  return sp == std::string_view::npos ? s : s.substr(sp + 1);
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

float TypeWeight(int32_t type) {
  switch (type) {
    case DOCANALYSIS_ENTITY_PERSON: case DOCANALYSIS_ENTITY_ORGANIZATION: case DOCANALYSIS_ENTITY_LOCATION:
      return 1.0f;
    case DOCANALYSIS_ENTITY_MISC: return 0.8f;
    default: return 0.3f;
  }
}

// A span in bytes of the analysed text; ConvertOffsets maps it later.
void FillSpan(std::string_view text, uint32_t b, uint32_t e, v1::TextSpan* span) {
  span->set_content(std::string(text.substr(b, e - b)));
  span->set_begin_offset(static_cast<int32_t>(b));
  span->set_end_offset(static_cast<int32_t>(e));
}

// The index of the sentence holding byte `offset`.
class SentenceIndex {
 public:
  explicit SentenceIndex(const std::vector<docanalysis_sentence>& s) : s_(s) {}
  int32_t Of(uint32_t offset) const {
    auto it = std::upper_bound(s_.begin(), s_.end(), offset,
                               [](uint32_t o, const docanalysis_sentence& s) { return o < s.begin; });
    return it == s_.begin() ? 0 : static_cast<int32_t>(it - s_.begin() - 1);
  }

 private:
  const std::vector<docanalysis_sentence>& s_;
};

using Mention = ResultCollector::Mention;

// Mentions of one entity.
struct EntityGroup {
  int32_t type;
  std::string key;  // normalized name, without the type
  std::string name;
  std::vector<const Mention*> mentions;
  std::string plugin;
  float weight = 0;
};

// The one place where a surname alone is linked to a full name: a single-word PERSON mention with
// no canonical name from its plugin joins the latest multi-word person group whose last word it is
// ("Campbell" -> "Kurt M. Campbell"). A map from last word to the latest such group keeps it O(1)
// per mention, whatever the number of groups.
class SurnameLinker {
 public:
  // The group `m` links to, or -1.
  int64_t Link(const Mention& m, std::string_view surface) const {
    if (m.type != DOCANALYSIS_ENTITY_PERSON || !m.canonical.empty() || surface.find(' ') != std::string_view::npos)
      return -1;
    auto it = latest_.find(NormalizeName(surface));
    return it == latest_.end() ? -1 : static_cast<int64_t>(it->second);
  }
  // Records a new group.
  void Add(const EntityGroup& g, size_t index) {
    if (g.type == DOCANALYSIS_ENTITY_PERSON && g.key.find(' ') != std::string::npos)
      latest_[std::string(LastWord(g.key))] = index;
  }

 private:
  absl::flat_hash_map<std::string, size_t> latest_;
};

// Groups every plugin's mentions by type and canonical name, in document order; duplicates (same
// span and type from two plugins) count once.
std::vector<EntityGroup> GroupMentions(const std::vector<PluginResult>& results, std::string_view text,
                                       const SentenceIndex& sentences) {
  std::vector<std::pair<const Mention*, const std::string*>> all;  // mention, plugin name
  for (const auto& r : results)
    for (const auto& mention : r.results.mentions) all.emplace_back(&mention, &r.run->plugin->name());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first->begin < b.first->begin || (a.first->begin == b.first->begin && a.first->end > b.first->end);
  });
  std::vector<EntityGroup> groups;
  absl::flat_hash_map<std::string, size_t> group_index;
  SurnameLinker surnames;
  uint32_t last_begin = UINT32_MAX, last_end = 0;
  int32_t last_type = -1;
  for (const auto& [mention, plugin] : all) {
    if (mention->begin == last_begin && mention->end == last_end && mention->type == last_type) continue;
    last_begin = mention->begin, last_end = mention->end, last_type = mention->type;
    std::string_view surface = text.substr(mention->begin, mention->end - mention->begin);
    std::string key = absl::StrCat(mention->type, ":", NormalizeName(mention->canonical.empty() ? surface : mention->canonical));
    auto it = group_index.find(key);
    if (it == group_index.end()) {
      if (int64_t linked = surnames.Link(*mention, surface); linked >= 0)
        it = group_index.emplace(key, static_cast<size_t>(linked)).first;
    }
    size_t g;
    if (it == group_index.end()) {
      g = groups.size();
      group_index.emplace(key, g);
      groups.push_back({mention->type, key.substr(key.find(':') + 1), "", {}, *plugin, 0});
      surnames.Add(groups[g], g);
    } else {
      g = it->second;
    }
    EntityGroup& grp = groups[g];
    grp.mentions.push_back(mention);
    if (CodePoints(surface) > CodePoints(grp.name)) grp.name = std::string(surface);
    grp.weight += TypeWeight(mention->type) / (1.0f + 0.1f * static_cast<float>(sentences.Of(mention->begin)));
  }
  return groups;
}

void MergeSentences(const std::vector<PluginResult>& results, const DocumentText& text,
                    std::vector<std::optional<v1::Sentiment>>* sentence_sentiment, v1::AnalyzeResponse* resp) {
  const auto& sentences = text.segmentation.sentences;
  sentence_sentiment->assign(sentences.size(), std::nullopt);
  for (const auto& r : results) {
    for (const auto& [i, s] : r.results.sentence_sentiments)
      if (!(*sentence_sentiment)[i]) (*sentence_sentiment)[i] = s;
    if (r.results.document_sentiment && !resp->has_document_sentiment())
      *resp->mutable_document_sentiment() = *r.results.document_sentiment;
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    v1::Sentence* s = resp->add_sentences();
    FillSpan(text.text(), sentences[i].begin, sentences[i].end, s->mutable_text());
    if ((*sentence_sentiment)[i]) *s->mutable_sentiment() = *(*sentence_sentiment)[i];
  }
}

void MergeEntities(const std::vector<PluginResult>& results, const DocumentText& text,
                   const std::vector<std::optional<v1::Sentiment>>& sentence_sentiment, v1::AnalyzeResponse* resp) {
  SentenceIndex sentences(text.segmentation.sentences);
  std::vector<EntityGroup> groups = GroupMentions(results, text.text(), sentences);
  float total = 0;
  for (const auto& g : groups) total += g.weight;
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups[a].weight > groups[b].weight; });
  for (size_t gi : order) {
    const EntityGroup& g = groups[gi];
    v1::Entity* e = resp->add_entities();
    e->set_name(g.name);
    e->set_type(static_cast<v1::EntityType>(g.type));
    e->set_salience(total > 0 ? g.weight / total : 0);
    (*e->mutable_metadata())["plugin"] = g.plugin;
    (*e->mutable_metadata())["mention_count"] = absl::StrCat(g.mentions.size());
    // Entity sentiment: the mean sentiment of the sentences it is mentioned in.
    std::set<int32_t> sentences_seen;
    double score = 0, magnitude = 0;
    int n = 0;
    for (const Mention* mention : g.mentions) {
      v1::EntityMention* em = e->add_mentions();
      FillSpan(text.text(), mention->begin, mention->end, em->mutable_text());
      em->set_confidence(mention->confidence);
      int32_t si = sentences.Of(mention->begin);
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
}

// Chosen sentences in document order, and their joined text.
void MergeSummary(const std::vector<PluginResult>& results, const DocumentText& text, v1::AnalyzeResponse* resp) {
  std::map<uint32_t, float> picks;
  for (const auto& r : results)
    for (const auto& [i, score] : r.results.summary) picks.emplace(i, score);
  if (picks.empty()) return;
  std::string summary_text;
  for (const auto& [i, score] : picks) {
    v1::SummarySentence* s = resp->mutable_summary()->add_sentences();
    const docanalysis_sentence& sentence = text.segmentation.sentences[i];
    FillSpan(text.text(), sentence.begin, sentence.end, s->mutable_text());
    s->set_sentence_index(static_cast<int32_t>(i));
    s->set_score(score);
    if (!summary_text.empty()) summary_text.push_back(' ');
    summary_text.append(s->text().content());
  }
  resp->mutable_summary()->set_text(std::move(summary_text));
}

// Generic results of plugins the contract does not model.
void MergeGeneric(const std::vector<PluginResult>& results, const DocumentText& text, v1::AnalyzeResponse* resp) {
  for (const auto& r : results) {
    for (const auto& a : r.results.annotations) {
      v1::Annotation* out = resp->add_annotations();
      out->set_plugin(r.run->plugin->name());
      out->set_label(a.label);
      FillSpan(text.text(), a.begin, a.end, out->mutable_text());
      out->set_score(a.score);
      for (const auto& [k, v] : a.attributes) (*out->mutable_attributes())[k] = v;
    }
    for (const auto& l : r.results.labels) {
      v1::Label* out = resp->add_labels();
      out->set_plugin(r.run->plugin->name());
      out->set_name(l.name);
      out->set_value(l.value);
      out->set_score(l.score);
    }
  }
}

}  // namespace

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

void MergeResults(const std::vector<PluginResult>& results, const DocumentText& text, v1::AnalyzeResponse* resp) {
  std::vector<std::optional<v1::Sentiment>> sentence_sentiment;
  MergeSentences(results, text, &sentence_sentiment, resp);
  MergeEntities(results, text, sentence_sentiment, resp);
  MergeSummary(results, text, resp);
  MergeGeneric(results, text, resp);
}

}  // namespace docanalysis
