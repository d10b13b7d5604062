// The entity plugin: named entities (PERSON, LOCATION, ORGANIZATION, MISC) from the trained
// tagger, and pattern entities (DATE, NUMBER, MONEY, PERCENT, EMAIL, URL, PHONE) from rules.
//
// Load-time options (plugin.json / operator): "model" = model file in the plugin folder
// (default ner-en.model). A missing or corrupt model makes the constructor throw, so the plugin
// fails to load with a message naming the file and the problem.
// Request options: "types" = comma-separated types to return (default all; "PERSON,LOCATION",
// case-insensitive, also the CoNLL names PER/LOC/ORG), "min_confidence" = drop mentions below
// this confidence (default 0).
//
// A one-word PERSON mention that matches the last word of a longer PERSON mention earlier in the
// document ("Clinton" after "Bill Clinton") carries that full name as its canonical name.
//
// THREADING: Analyze() is const in spirit and safe to call concurrently (the model is immutable).
#ifndef DOCANALYSIS_PLUGINS_ENTITY_ENTITY_PLUGIN_H_
#define DOCANALYSIS_PLUGINS_ENTITY_ENTITY_PLUGIN_H_

#include <memory>
#include <string>

#include "docanalysis/plugin.h"
#include "model.h"

namespace docanalysis::entity {

class EntityPlugin : public docanalysis::Plugin {
 public:
  static constexpr const char* kDefaultModel = "ner-en.model";

  explicit EntityPlugin(const docanalysis::PluginConfig& config);
  docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override;

  const Model& model() const { return *model_; }

 private:
  std::unique_ptr<Model> model_;
};

// Parses a "types" option into a bit set over DOCANALYSIS_ENTITY_* values; returns false and
// sets *error for an unknown name. Empty or "all" selects every type.
bool ParseTypes(std::string_view spec, uint32_t* mask, std::string* error);

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_ENTITY_PLUGIN_H_
