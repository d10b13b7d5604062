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

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == 0x7F; }

// Appends `v` as one logfmt value: quoted when it holds spaces, quotes, '=' or control
// characters, and every control character escaped (\n, \t, \r, \xHH), so that a caller's text
// (a document id, a plugin's error message, a file name) can never forge or split a log line.
void AppendValue(std::string& out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v) quote |= c == ' ' || c == '"' || c == '=' || c == '\\' || NeedsEscape(static_cast<unsigned char>(c));
  if (!quote) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out.append("\\\""); continue;
      case '\\': out.append("\\\\"); continue;
      case '\n': out.append("\\n"); continue;
      case '\t': out.append("\\t"); continue;
      case '\r': out.append("\\r"); continue;
      default: break;
    }
    if (NeedsEscape(c)) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      continue;
    }
    out.push_back(ch);
  }
  out.push_back('"');
}
}  // namespace

std::string EscapeLogValue(std::string_view v) {
  std::string out;
  AppendValue(out, v);
  return out;
}

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
