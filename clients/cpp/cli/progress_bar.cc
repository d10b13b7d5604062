#include "cli/progress_bar.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace docanalysis {

std::string RenderProgress(size_t done, size_t total, size_t failed, double elapsed_seconds, int width) {
  const double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(fraction * width + 1e-9);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  std::string line = absl::StrFormat("%s %*zu/%zu %3d%%  %.1f docs/s", bar, static_cast<int>(std::to_string(total).size()),
                                     done, total, static_cast<int>(fraction * 100 + 1e-9), rate);
  if (failed > 0) line += absl::StrFormat("  %zu failed", failed);
  return line;
}

ProgressBar::ProgressBar(size_t total, std::ostream& out, bool enabled)
    : total_(total), out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_() {}

void ProgressBar::Update(size_t done, size_t failed) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done == drawn_done_ && failed == drawn_failed_) return;
  if (drawn_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  drawn_ = true;
  drawn_done_ = done;
  drawn_failed_ = failed;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  out_ << '\r' << RenderProgress(done, total_, failed, elapsed) << std::flush;
}

void ProgressBar::Clear() {
  if (!enabled_ || !drawn_) return;
  out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) out_ << '\n' << std::flush;
}

}  // namespace docanalysis
