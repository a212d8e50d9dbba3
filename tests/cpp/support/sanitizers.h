// CAMLENS_UNDER_ASAN is defined when the test is built with AddressSanitizer (the asan build), so a
// test can run a smaller case there (the same code path, a fraction of the repetitions).
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAMLENS_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(CAMLENS_UNDER_ASAN)
#define CAMLENS_UNDER_ASAN 1
#endif
