#include "service/common/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace docanalysis {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarning: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

void AppendValue(std::string& out, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" \"=\n\t") != std::string_view::npos;
  if (!quote) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') { out.append("\\n"); continue; }
    out.push_back(c);
  }
  out.push_back('"');
}
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }

void Log(LogLevel level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  std::string line = absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                                  Name(level), " ");
  AppendValue(line, message);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k);
    line.push_back('=');
    AppendValue(line, v);
  }
  line.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace docanalysis
