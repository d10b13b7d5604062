#include "service/core/document_text.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/text/cancel.h"

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

absl::StatusOr<DocumentText> RunTextPipeline(const v1::AnalyzeRequest& req, const RequestContext& ctx) {
  const std::function<bool()> stop = [&ctx] {
    return absl::Now() >= ctx.deadline || (ctx.is_cancelled && ctx.is_cancelled());
  };
  auto stopped = [&ctx](const char* stage) {
    if (absl::Now() >= ctx.deadline) return absl::DeadlineExceededError(absl::StrCat("deadline exceeded during ", stage));
    return absl::CancelledError(absl::StrCat("the caller cancelled the request during ", stage));
  };
  text::CancelCheck cancel(&stop);
  const v1::Document& doc = req.document();
  DocumentText out;
  out.id = doc.id();
  out.language = doc.language().empty() ? "en" : doc.language();
  out.source = doc.source_case() == v1::Document::kRawContent ? std::string_view(doc.raw_content())
                                                               : std::string_view(doc.content());
  if (doc.type() == v1::Document::HTML) {
    absl::StatusOr<text::HtmlText> h = text::ExtractHtmlText(out.source, &cancel);
    if (cancel.cancelled()) return stopped("HTML reduction");
    if (!h.ok()) return h.status();
    out.html = std::move(*h);
  }
  if (!text::Segment(out.text(), &cancel, &out.segmentation)) return stopped("segmentation");
  return out;
}

}  // namespace docanalysis
