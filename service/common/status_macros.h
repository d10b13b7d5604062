// Local status helpers: Abseil 20220623 has no ABSL_RETURN_IF_ERROR.
#ifndef DOCANALYSIS_SERVICE_COMMON_STATUS_MACROS_H_
#define DOCANALYSIS_SERVICE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"

#define DOCANALYSIS_RETURN_IF_ERROR(expr)        \
  do {                                           \
    ::absl::Status _docanalysis_status = (expr); \
    if (!_docanalysis_status.ok()) return _docanalysis_status; \
  } while (0)

#define DOCANALYSIS_CONCAT_INNER(a, b) a##b
#define DOCANALYSIS_CONCAT(a, b) DOCANALYSIS_CONCAT_INNER(a, b)
#define DOCANALYSIS_ASSIGN_OR_RETURN(lhs, expr) \
  DOCANALYSIS_ASSIGN_OR_RETURN_IMPL(DOCANALYSIS_CONCAT(_statusor_, __LINE__), lhs, expr)
#define DOCANALYSIS_ASSIGN_OR_RETURN_IMPL(var, lhs, expr) \
  auto var = (expr);                                      \
  if (!var.ok()) return var.status();                     \
  lhs = std::move(*var)

#endif  // DOCANALYSIS_SERVICE_COMMON_STATUS_MACROS_H_
