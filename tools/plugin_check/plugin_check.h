// docanalysis-plugin-check: the conformance checker a plugin author runs before shipping.
//
// Given a plugin folder, it validates the manifest and the library (ABI version, exported symbols),
// loads the plugin the way the server does (service/plugin_host), runs it on the built-in corpus of
// tricky texts (corpus.h) with the host's own segmenter and result collector, and checks:
//  - every call returns (no crash), with OK or a deliberate error code, within the manifest's budget;
//  - every span lies inside the text on UTF-8 boundaries, every sentence index exists, every string
//    it reports is valid UTF-8 (the host drops what fails; the checker fails the plugin for it);
//  - repeated calls give the same output, and so do many threads calling at once;
//  - it answers cancellation (a request cancelled mid-way returns promptly);
//  - 1,000 load/analyze/unload cycles leak neither memory (RSS) nor file descriptors.
// Plugins named in "needs" are looked up among the sibling folders (or --with folders) and run
// first, so the plugin sees real upstream results (ABI 1.1).
//
// THREADING: RunChecks runs on the calling thread and starts its own threads.
#ifndef DOCANALYSIS_TOOLS_PLUGIN_CHECK_PLUGIN_CHECK_H_
#define DOCANALYSIS_TOOLS_PLUGIN_CHECK_PLUGIN_CHECK_H_

#include <cstdio>
#include <string>
#include <vector>

namespace docanalysis::check {

struct CheckOptions {
  std::string folder;
  std::vector<std::string> with;  // extra plugin folders that may provide needed features
  int cycles = 1000;              // load/unload cycles
  int threads = 8;
  bool quick = false;             // fewer cycles and rounds
};

struct CheckReport {
  int failures = 0;
  int warnings = 0;
  int passes = 0;
};

// Runs every check, printing one line per check to `out`, and the verdict last.
CheckReport RunChecks(const CheckOptions& options, std::FILE* out);

}  // namespace docanalysis::check

#endif  // DOCANALYSIS_TOOLS_PLUGIN_CHECK_PLUGIN_CHECK_H_
