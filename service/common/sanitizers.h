// Whether this build runs under AddressSanitizer or ThreadSanitizer (scripts/sanitize.sh): their
// shadow memory reserves terabytes of address space and ASan's quarantine keeps freed memory
// resident for a while, so address-space limits and resident-memory growth checks do not apply.
#ifndef DOCANALYSIS_SERVICE_COMMON_SANITIZERS_H_
#define DOCANALYSIS_SERVICE_COMMON_SANITIZERS_H_

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DOCANALYSIS_SANITIZER_SHADOW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DOCANALYSIS_SANITIZER_SHADOW 1
#endif
#endif

namespace docanalysis {
#ifdef DOCANALYSIS_SANITIZER_SHADOW
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_COMMON_SANITIZERS_H_
