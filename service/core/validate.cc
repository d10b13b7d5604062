#include "service/core/validate.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/text/utf8.h"

namespace docanalysis {

absl::Status ValidateDocument(const v1::AnalyzeRequest& req, size_t max_document_bytes) {
  const v1::Document& doc = req.document();
  const bool raw = doc.source_case() == v1::Document::kRawContent;
  std::string_view source = raw ? std::string_view(doc.raw_content()) : std::string_view(doc.content());
  if (source.size() > max_document_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("document is ", source.size(), " bytes, over the limit of ",
                                                     max_document_bytes,
                                                     " bytes (--max_document_bytes); split it or raise the limit"));
  }
  return text::ValidateUtf8(source, raw ? "document.raw_content" : "document.content");
}

absl::Status ValidateOptions(const PluginSnapshot& snap, const v1::AnalyzeRequest& req) {
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

}  // namespace docanalysis
