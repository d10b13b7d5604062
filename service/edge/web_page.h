// The web page served at GET / by the HTTP edge: service/edge/web/index.html, embedded into the
// binary at build time (cmake/EmbedFile.cmake), so that nothing is read from disk or fetched at run time.
#ifndef DOCANALYSIS_SERVICE_EDGE_WEB_PAGE_H_
#define DOCANALYSIS_SERVICE_EDGE_WEB_PAGE_H_

#include "absl/strings/string_view.h"

namespace docanalysis {

// The page's HTML (UTF-8). Lives for the whole program.
absl::string_view WebPage();

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_EDGE_WEB_PAGE_H_
