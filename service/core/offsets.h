// Stage 6 of a request: every span of the response, once, from UTF-8 bytes of the analysed text
// into the caller's document (the HTML source for HTML documents) and the caller's encoding
// (UTF-8 bytes, UTF-16 code units or code points).
#ifndef DOCANALYSIS_SERVICE_CORE_OFFSETS_H_
#define DOCANALYSIS_SERVICE_CORE_OFFSETS_H_

#include "docanalysis/v1/docanalysis.pb.h"
#include "service/core/document_text.h"

namespace docanalysis {

void ConvertOffsets(const DocumentText& text, v1::EncodingType encoding, v1::AnalyzeResponse* response);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_OFFSETS_H_
