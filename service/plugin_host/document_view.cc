#include "service/plugin_host/document_view.h"

namespace docanalysis {
namespace {

int NeverCancelled(void*) { return 0; }

}  // namespace

void OverlayOption(OptionList* options, std::string_view key, std::string_view value) {
  for (auto& [k, v] : *options) {
    if (k == key) {
      v.assign(value);
      return;
    }
  }
  options->emplace_back(std::string(key), std::string(value));
}

void OverlayOptions(OptionList* options, const OptionList& overrides) {
  for (const auto& [k, v] : overrides) OverlayOption(options, k, v);
}

DocumentView::DocumentView(const DocumentParts& parts, const OptionList& options,
                           const std::vector<std::string>& features) {
  options_.reserve(options.size());
  for (const auto& [k, v] : options) options_.push_back({Str(k), Str(v)});
  features_.reserve(features.size());
  for (const auto& f : features) features_.push_back(Str(f));
  doc_.id = Str(parts.id);
  doc_.text = Str(parts.text);
  doc_.language = Str(parts.language);
  doc_.tokens = parts.tokens;
  doc_.token_count = parts.token_count;
  doc_.sentences = parts.sentences;
  doc_.sentence_count = parts.sentence_count;
  doc_.options = options_.data();
  doc_.option_count = options_.size();
  doc_.features = features_.data();
  doc_.feature_count = features_.size();
  doc_.is_cancelled = parts.is_cancelled ? parts.is_cancelled : &NeverCancelled;
  doc_.cancel_ctx = parts.cancel_ctx;
}

}  // namespace docanalysis
