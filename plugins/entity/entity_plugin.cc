#include "entity_plugin.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "labels.h"
#include "ner_features.h"
#include "patterns.h"
#include "text_util.h"

namespace docanalysis::entity {
namespace {

struct TypeAlias {
  const char* name;
  int32_t type;
};
constexpr TypeAlias kTypeNames[] = {
    {"person", DOCANALYSIS_ENTITY_PERSON},   {"per", DOCANALYSIS_ENTITY_PERSON},
    {"location", DOCANALYSIS_ENTITY_LOCATION}, {"loc", DOCANALYSIS_ENTITY_LOCATION},
    {"organization", DOCANALYSIS_ENTITY_ORGANIZATION}, {"organisation", DOCANALYSIS_ENTITY_ORGANIZATION},
    {"org", DOCANALYSIS_ENTITY_ORGANIZATION}, {"misc", DOCANALYSIS_ENTITY_MISC},
    {"date", DOCANALYSIS_ENTITY_DATE},       {"number", DOCANALYSIS_ENTITY_NUMBER},
    {"money", DOCANALYSIS_ENTITY_MONEY},     {"percent", DOCANALYSIS_ENTITY_PERCENT},
    {"email", DOCANALYSIS_ENTITY_EMAIL},     {"url", DOCANALYSIS_ENTITY_URL},
    {"phone", DOCANALYSIS_ENTITY_PHONE},     {"phone_number", DOCANALYSIS_ENTITY_PHONE},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ParseTypes(std::string_view spec, uint32_t* mask, std::string* error) {
  *mask = 0;
  spec = Trim(spec);
  if (spec.empty() || Lower(spec) == "all") {
    *mask = ~0u;
    return true;
  }
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string name = Lower(Trim(spec.substr(0, comma)));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (name.empty()) continue;
    bool known = false;
    for (const TypeAlias& t : kTypeNames) {
      if (name == t.name) {
        *mask |= 1u << t.type;
        known = true;
      }
    }
    if (!known) {
      *error = "unknown entity type '" + name +
               "' in option types (use PERSON, LOCATION, ORGANIZATION, MISC, DATE, NUMBER, MONEY, PERCENT, EMAIL, "
               "URL, PHONE)";
      return false;
    }
  }
  return true;
}

EntityPlugin::EntityPlugin(const docanalysis::PluginConfig& config) {
  std::string file = config.Option("model", kDefaultModel);
  std::string path = (!file.empty() && file[0] == '/') ? file : config.Path(file);
  try {
    model_ = Model::Load(path);
  } catch (const std::exception& e) {
    throw docanalysis::PluginError(DOCANALYSIS_FAILED_PRECONDITION, e.what());
  }
}

docanalysis::Status EntityPlugin::Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) {
  uint32_t mask = 0;
  std::string error;
  if (!ParseTypes(doc.Option("types"), &mask, &error)) return docanalysis::Status::InvalidArgument(error);
  double min_confidence = 0.0;
  std::string_view mc = doc.Option("min_confidence");
  if (!mc.empty()) {
    min_confidence = doc.OptionDouble("min_confidence", std::nan(""));
    if (!(min_confidence >= 0.0 && min_confidence <= 1.0))
      return docanalysis::Status::InvalidArgument("option min_confidence must be a number in [0, 1], got '" +
                                                  std::string(mc) + "'");
  }
  DocView view;
  view.text = doc.text();
  view.tokens = doc.tokens().begin();
  view.token_count = doc.tokens().size();
  view.sentences = doc.sentences().begin();
  view.sentence_count = doc.sentences().size();
  if (view.token_count == 0) return docanalysis::Status::Ok();
  if (doc.Cancelled()) return docanalysis::Status::Cancelled();

  constexpr uint32_t kNerMask = (1u << DOCANALYSIS_ENTITY_PERSON) | (1u << DOCANALYSIS_ENTITY_LOCATION) |
                                (1u << DOCANALYSIS_ENTITY_ORGANIZATION) | (1u << DOCANALYSIS_ENTITY_MISC);
  if (mask & kNerMask) {
    std::vector<Mention> mentions;
    if (!model_->Tag(view, &mentions, [&doc] { return doc.Cancelled(); }) || doc.Cancelled())
      return docanalysis::Status::Cancelled();
    // Multi-word person names seen so far, by the lowercased hash of their last word.
    std::vector<std::pair<uint64_t, std::string_view>> full_names;
    for (const Mention& m : mentions) {
      uint32_t begin = m.begin, end = m.end;
      std::string_view text = view.text.substr(begin, end - begin);
      std::string_view canonical;
      if (m.type == 0 /* PER */) {
        size_t space = text.find_last_of(' ');
        std::string_view last = space == std::string_view::npos ? text : text.substr(space + 1);
        uint64_t key = HashBytes(Lower(last));
        if (m.token_end - m.token_begin >= 2) {
          full_names.emplace_back(key, text);
        } else {
          for (auto it = full_names.rbegin(); it != full_names.rend(); ++it)
            if (it->first == key) {
              canonical = it->second;
              break;
            }
        }
      }
      int32_t type = AbiType(m.type);
      if (!(mask & (1u << type)) || m.confidence < min_confidence) continue;
      sink.AddEntityMention(begin, end, type, m.confidence, canonical);
    }
  }
  if (mask & ~kNerMask) {
    std::vector<PatternMention> patterns;
    FindPatterns(view, &patterns);
    for (const PatternMention& p : patterns)
      if ((mask & (1u << p.type)) && p.confidence >= min_confidence)
        sink.AddEntityMention(p.begin, p.end, p.type, p.confidence);
  }
  return docanalysis::Status::Ok();
}

}  // namespace docanalysis::entity
