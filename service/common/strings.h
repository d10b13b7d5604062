// Debian's Abseil 20220623 is built with its own absl::string_view, distinct from
// std::string_view. These convert between the two without copying.
#ifndef DOCANALYSIS_SERVICE_COMMON_STRINGS_H_
#define DOCANALYSIS_SERVICE_COMMON_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace docanalysis {

inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_COMMON_STRINGS_H_
