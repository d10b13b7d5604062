#include "service/core/document_text.h"

#include <utility>

namespace docanalysis {

DocumentParts DocumentText::Parts() const {
  DocumentParts p;
  p.id = id;
  p.text = text();
  p.language = language;
  p.tokens = segmentation.tokens.data();
  p.token_count = segmentation.tokens.size();
  p.sentences = segmentation.sentences.data();
  p.sentence_count = segmentation.sentences.size();
  return p;
}

absl::StatusOr<DocumentText> RunTextPipeline(const v1::AnalyzeRequest& req) {
  const v1::Document& doc = req.document();
  DocumentText out;
  out.id = doc.id();
  out.language = doc.language().empty() ? "en" : doc.language();
  out.source = doc.source_case() == v1::Document::kRawContent ? std::string_view(doc.raw_content())
                                                               : std::string_view(doc.content());
  if (doc.type() == v1::Document::HTML) {
    absl::StatusOr<text::HtmlText> h = text::ExtractHtmlText(out.source);
    if (!h.ok()) return h.status();
    out.html = std::move(*h);
  }
  out.segmentation = text::Segment(out.text());
  return out;
}

}  // namespace docanalysis
