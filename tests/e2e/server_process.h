// Test helper: runs the real docanalysis-server binary as a child process on 127.0.0.1:0 and
// reads the bound port from its `listening on HOST:PORT` line.
#ifndef DOCANALYSIS_TESTS_E2E_SERVER_PROCESS_H_
#define DOCANALYSIS_TESTS_E2E_SERVER_PROCESS_H_

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace docanalysis::testing {

class ServerProcess {
 public:
  // Starts the server; target() is empty if it did not print its address within 30 s.
  ServerProcess(const std::string& plugin_dir, std::vector<std::string> extra = {}) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<std::string> args = {DOCANALYSIS_SERVER_BIN, "--listen", "127.0.0.1:0", "--plugin_dir", plugin_dir};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char c;
      if (read(fd_, &c, 1) != 1) break;
      if (c != '\n') { line.push_back(c); continue; }
      auto at = line.find("listening on ");
      if (at != std::string::npos) {
        target_ = line.substr(at + 13);
        break;
      }
      preamble_.push_back(line);
      line.clear();
    }
  }
  ~ServerProcess() {
    if (pid_ > 0 && !stopped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }

  const std::string& target() const { return target_; }
  // Lines printed before the `listening on` line (e.g. "metrics on HOST:PORT").
  const std::vector<std::string>& preamble() const { return preamble_; }
  pid_t pid() const { return pid_; }

  // Sends `sig` (SIGTERM by default) and returns the exit status, or -1 on a signal death.
  int Stop(int sig = SIGTERM) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    stopped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool stopped_ = false;
  std::string target_;
  std::vector<std::string> preamble_;
};

}  // namespace docanalysis::testing

#endif  // DOCANALYSIS_TESTS_E2E_SERVER_PROCESS_H_
