#include "service/worker/sandbox.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace docanalysis::worker {

absl::Status EnterSandbox() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return absl::InternalError(absl::StrCat("PR_SET_NO_NEW_PRIVS: ", std::strerror(errno)));
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  const uint64_t self = static_cast<uint64_t>(getpid());
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  int rc = 0;
  auto add = [&](uint32_t action, int syscall, unsigned n, const scmp_arg_cmp* cmp) {
    if (rc == 0) rc = seccomp_rule_add_array(ctx, action, syscall, n, cmp);
  };
  // Network: only AF_UNIX sockets (none reach outside the machine).
  scmp_arg_cmp not_unix = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
  add(SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1, &not_unix);
  add(SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1, &not_unix);
  // No other programs, no child processes (threads are clone with CLONE_THREAD).
  add(eperm, SCMP_SYS(execve), 0, nullptr);
  add(eperm, SCMP_SYS(execveat), 0, nullptr);
  add(eperm, SCMP_SYS(fork), 0, nullptr);
  add(eperm, SCMP_SYS(vfork), 0, nullptr);
  scmp_arg_cmp no_thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
  add(eperm, SCMP_SYS(clone), 1, &no_thread);
  add(SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, nullptr);  // glibc falls back to clone
  // No reaching into or signalling other processes (the server included).
  add(eperm, SCMP_SYS(ptrace), 0, nullptr);
  add(eperm, SCMP_SYS(process_vm_readv), 0, nullptr);
  add(eperm, SCMP_SYS(process_vm_writev), 0, nullptr);
  scmp_arg_cmp not_self = SCMP_A0(SCMP_CMP_NE, self);
  add(eperm, SCMP_SYS(kill), 1, &not_self);
  add(eperm, SCMP_SYS(tgkill), 1, &not_self);
  add(eperm, SCMP_SYS(tkill), 0, nullptr);
  if (rc == 0) rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) return absl::InternalError(absl::StrCat("seccomp filter: ", std::strerror(-rc)));
  return absl::OkStatus();
}

absl::Status SetLimits(uint64_t address_space_bytes, uint64_t cpu_seconds) {
  if (address_space_bytes > 0 && kAddressSpaceLimitApplies) {
    rlimit r{address_space_bytes, address_space_bytes};
    if (setrlimit(RLIMIT_AS, &r) != 0) return absl::InternalError(absl::StrCat("RLIMIT_AS: ", std::strerror(errno)));
  }
  if (cpu_seconds > 0) {
    // The soft limit sends SIGXCPU (recorded as a CPU-limit fault); the hard one a second later SIGKILL.
    rlimit r{cpu_seconds, cpu_seconds + 1};
    if (setrlimit(RLIMIT_CPU, &r) != 0) return absl::InternalError(absl::StrCat("RLIMIT_CPU: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace docanalysis::worker
