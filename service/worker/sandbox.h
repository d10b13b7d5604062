// What a plugin worker gives up before it loads third-party code: new privileges, network sockets,
// exec, fork (threads stay allowed), tracing, and signals to any process but itself.
#ifndef DOCANALYSIS_SERVICE_WORKER_SANDBOX_H_
#define DOCANALYSIS_SERVICE_WORKER_SANDBOX_H_

#include <cstdint>

#include "absl/status/status.h"
#include "service/common/sanitizers.h"

namespace docanalysis::worker {

// Sets PR_SET_NO_NEW_PRIVS and loads a seccomp filter. Refused calls fail with EACCES (sockets)
// or EPERM (the rest), so a plugin sees an ordinary error and the host a plugin status.
absl::Status EnterSandbox();

// RLIMIT_AS (bytes) and RLIMIT_CPU (seconds), soft and hard; 0 leaves a limit as it is. In an
// AddressSanitizer or ThreadSanitizer build the address-space limit is not applied (their shadow
// memory reserves terabytes of address space up front); see kAddressSpaceLimitApplies.
absl::Status SetLimits(uint64_t address_space_bytes, uint64_t cpu_seconds);

inline constexpr bool kAddressSpaceLimitApplies = !kUnderSanitizer;

}  // namespace docanalysis::worker

#endif  // DOCANALYSIS_SERVICE_WORKER_SANDBOX_H_
