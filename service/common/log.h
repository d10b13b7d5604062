// Structured logs: one line per event on stderr, `time level message key=value ...`.
// THREADING: safe from any thread (one write(2) per line).
//
//   Log(LogLevel::kInfo, "plugin loaded", {{"plugin", name}, {"version", version}});
#ifndef DOCANALYSIS_SERVICE_COMMON_LOG_H_
#define DOCANALYSIS_SERVICE_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace docanalysis {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void Log(LogLevel level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

// Messages below `level` are dropped. Default kInfo.
void SetLogLevel(LogLevel level);

// `v` as Log() writes a field value: quoted when needed, control characters escaped.
std::string EscapeLogValue(std::string_view v);

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_COMMON_LOG_H_
