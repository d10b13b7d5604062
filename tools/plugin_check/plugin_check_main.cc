// docanalysis-plugin-check FOLDER [--with FOLDER]... [--cycles N] [--threads N] [--quick]
//
// Checks that the plugin in FOLDER is safe to ship (see plugin_check.h) and prints a report with a
// verdict. Exit status: 0 PASS, 1 FAIL, 2 usage error. The checks run in a child process, so that a
// plugin that crashes is reported as a failure, not as a crash of the checker.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tools/plugin_check/plugin_check.h"

namespace {

int Usage(const char* msg) {
  if (msg) std::fprintf(stderr, "docanalysis-plugin-check: %s\n", msg);
  std::fprintf(stderr,
               "usage: docanalysis-plugin-check FOLDER [--with FOLDER]... [--cycles N] [--threads N] [--quick]\n"
               "  FOLDER        a plugin folder (plugin.json, the library, data files)\n"
               "  --with DIR    a plugin folder that provides a feature FOLDER needs (siblings are searched too)\n"
               "  --cycles N    load/unload cycles (default 1000)\n"
               "  --threads N   threads calling the plugin at once (default 8)\n"
               "  --quick       100 cycles and one round of threads, for a fast edit-build-check loop\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  docanalysis::check::CheckOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--help" || a == "-h") return Usage(nullptr);
    if (a == "--quick") { o.quick = true; continue; }
    if (a == "--with" || a == "--cycles" || a == "--threads") {
      const char* v = value();
      if (!v) return Usage(("missing value for " + a).c_str());
      if (a == "--with") o.with.push_back(v);
      else if (a == "--cycles") o.cycles = std::atoi(v);
      else o.threads = std::atoi(v);
      if ((a == "--cycles" && o.cycles < 1) || (a == "--threads" && o.threads < 1)) return Usage("N must be >= 1");
      continue;
    }
    if (!a.empty() && a[0] == '-') return Usage(("unknown flag " + a).c_str());
    if (!o.folder.empty()) return Usage("one plugin folder at a time");
    o.folder = a;
  }
  if (o.folder.empty()) return Usage("no plugin folder given");
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    docanalysis::check::CheckReport r = docanalysis::check::RunChecks(o, stdout);
    std::fflush(stdout);
    ::_exit(r.failures == 0 ? 0 : 1);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {}
  if (WIFSIGNALED(status)) {
    std::printf("[FAIL] crash: the plugin killed the process with signal %d (%s) during the check after the last line "
                "above\n\nVERDICT: FAIL (crashed)\n",
                WTERMSIG(status), strsignal(WTERMSIG(status)));
    return 1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
