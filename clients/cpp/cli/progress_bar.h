// ProgressBar: a one-line progress bar for batch work, drawn on a terminal with carriage returns.
//
// Not thread-safe: update it from one thread. It writes to the stream it was given (std::cerr in the
// CLI), which must outlive it.
//
//   ProgressBar bar(files.size(), std::cerr, /*enabled=*/isatty(2));
//   for (...) bar.Update(done, failed);
//   bar.Finish();
#ifndef DOCANALYSIS_CLIENTS_CPP_CLI_PROGRESS_BAR_H_
#define DOCANALYSIS_CLIENTS_CPP_CLI_PROGRESS_BAR_H_

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace docanalysis {

// Renders "[#########...........]  12/40  30%  3.1 docs/s  1 failed" with a bar `width` cells wide.
std::string RenderProgress(size_t done, size_t total, size_t failed, double elapsed_seconds, int width = 30);

class ProgressBar {
 public:
  ProgressBar(size_t total, std::ostream& out, bool enabled);

  // Redraws the bar when enabled (at most every 50 ms, and always for the last document).
  void Update(size_t done, size_t failed);
  // Erases the bar (when drawn), so that other output can take the line; the next Update redraws it.
  void Clear();
  // Ends the line (when enabled).
  void Finish();

 private:
  size_t total_;
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  size_t drawn_done_ = 0;
  size_t drawn_failed_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_CLIENTS_CPP_CLI_PROGRESS_BAR_H_
