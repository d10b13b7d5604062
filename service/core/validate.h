// Stage 1 of a request: checks that need no plugin (size, UTF-8) and that the request's options
// name loaded plugins or features. A failure ends the request with INVALID_ARGUMENT or
// RESOURCE_EXHAUSTED and a message that says what to fix.
#ifndef DOCANALYSIS_SERVICE_CORE_VALIDATE_H_
#define DOCANALYSIS_SERVICE_CORE_VALIDATE_H_

#include <cstddef>

#include "absl/status/status.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/plugin_host/plugin_registry.h"

namespace docanalysis {

// The document's size against `max_document_bytes`, and its content (or raw_content) as UTF-8.
absl::Status ValidateDocument(const v1::AnalyzeRequest& request, size_t max_document_bytes);

// Every request option is "<plugin or feature>.<key>" for a plugin or feature of `snapshot`.
absl::Status ValidateOptions(const PluginSnapshot& snapshot, const v1::AnalyzeRequest& request);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_VALIDATE_H_
