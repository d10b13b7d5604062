// The one assembly of a plugin's inputs: option merging (manifest defaults < operator overrides <
// request options) and the C ABI document view built from the text pipeline's output. The core,
// the plugin worker and the plugin test harness all build their views here.
//
//   OptionList opts = manifest.options;
//   OverlayOption(&opts, "max_sentences", "5");
//   DocumentView view({.id = id, .text = text, .tokens = seg.tokens.data(), ...}, opts, features);
//   plugin.Analyze(view.doc(), sink);
//
// OWNERSHIP: a DocumentView borrows every string and array it points at (they must outlive it)
// and owns only its small option and feature arrays. THREADING: immutable once built.
#ifndef DOCANALYSIS_SERVICE_PLUGIN_HOST_DOCUMENT_VIEW_H_
#define DOCANALYSIS_SERVICE_PLUGIN_HOST_DOCUMENT_VIEW_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docanalysis/plugin_abi.h"

namespace docanalysis {

// Options as (key, value) pairs, in first-set order.
using OptionList = std::vector<std::pair<std::string, std::string>>;

// Sets `key` to `value` in `options`, replacing an earlier value or appending.
void OverlayOption(OptionList* options, std::string_view key, std::string_view value);
// Applies every pair of `overrides` in order.
void OverlayOptions(OptionList* options, const OptionList& overrides);

inline std::string_view View(docanalysis_str s) { return std::string_view(s.data ? s.data : "", s.size); }
inline docanalysis_str Str(std::string_view s) { return docanalysis_str{s.data(), s.size()}; }

// What a document view is made of.
struct DocumentParts {
  std::string_view id;
  std::string_view text;
  std::string_view language;
  const docanalysis_token* tokens = nullptr;
  size_t token_count = 0;
  const docanalysis_sentence* sentences = nullptr;
  size_t sentence_count = 0;
  int (*is_cancelled)(void*) = nullptr;  // null: never cancelled
  void* cancel_ctx = nullptr;
};

class DocumentView {
 public:
  // Borrows `options` and `features` (the view points into them): they must outlive it, so
  // temporaries are refused at compile time.
  DocumentView(const DocumentParts& parts, const OptionList& options, const std::vector<std::string>& features);
  DocumentView(const DocumentParts&, OptionList&&, const std::vector<std::string>&) = delete;
  DocumentView(const DocumentParts&, const OptionList&, std::vector<std::string>&&) = delete;
  DocumentView(const DocumentParts&, OptionList&&, std::vector<std::string>&&) = delete;
  DocumentView(const DocumentView&) = delete;
  DocumentView& operator=(const DocumentView&) = delete;

  const docanalysis_document& doc() const { return doc_; }

 private:
  std::vector<docanalysis_option> options_;
  std::vector<docanalysis_str> features_;
  docanalysis_document doc_{};
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_PLUGIN_HOST_DOCUMENT_VIEW_H_
