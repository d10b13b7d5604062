// Stage 2 of a request: the text pipeline, once per document. HTML is reduced to its text (with a
// map back to source offsets); the text is segmented into tokens and sentences with UTF-8 byte
// offsets. Every plugin receives this one view.
//
// OWNERSHIP: a DocumentText borrows the request's content (`source`), which must outlive it, and
// owns the extracted HTML text and the segmentation.
#ifndef DOCANALYSIS_SERVICE_CORE_DOCUMENT_TEXT_H_
#define DOCANALYSIS_SERVICE_CORE_DOCUMENT_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/core/request_context.h"
#include "service/plugin_host/document_view.h"
#include "service/text/html.h"
#include "service/text/segmenter.h"

namespace docanalysis {

struct DocumentText {
  std::string_view id;
  std::string language;
  // The caller's document as sent (HTML source for HTML documents).
  std::string_view source;
  // Set for HTML documents: the extracted text and its map to `source` offsets.
  std::optional<text::HtmlText> html;
  text::Segmentation segmentation;

  // The text every plugin analyses and every offset before conversion counts in.
  std::string_view text() const { return html ? std::string_view(html->text) : source; }
  // The parts of a plugin's document view (no options, features or cancellation yet).
  DocumentParts Parts() const;
};

// `request` must have passed ValidateDocument.
// HTML reduction and segmentation, once per document. Both poll `ctx` (deadline and the caller's
// cancellation): a request past its deadline or abandoned by its caller stops mid-document with
// DEADLINE_EXCEEDED or CANCELLED.
absl::StatusOr<DocumentText> RunTextPipeline(const v1::AnalyzeRequest& request, const RequestContext& ctx);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_DOCUMENT_TEXT_H_
