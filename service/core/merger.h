// Stage 5 of a request: one response from every plugin's results. Sentences with their sentiment,
// entities grouped by canonical name (a surname alone joins the latest full name ending with it)
// with mentions, salience and entity sentiment, the document sentiment, the summary, and generic
// annotations and labels. Spans are left in UTF-8 bytes of the analysed text; ConvertOffsets
// (offsets.h) turns them into the caller's encoding afterwards.
#ifndef DOCANALYSIS_SERVICE_CORE_MERGER_H_
#define DOCANALYSIS_SERVICE_CORE_MERGER_H_

#include <string>
#include <string_view>
#include <vector>

#include "docanalysis/v1/docanalysis.pb.h"
#include "service/core/document_text.h"
#include "service/core/plugin_runs.h"

namespace docanalysis {

void MergeResults(const std::vector<PluginResult>& results, const DocumentText& text, v1::AnalyzeResponse* response);

// The key mentions of one entity are grouped under: lower-cased, whitespace collapsed, possessive
// removed ("Kurt  M. Campbell's" -> "kurt m. campbell").
std::string NormalizeName(std::string_view name);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_MERGER_H_
