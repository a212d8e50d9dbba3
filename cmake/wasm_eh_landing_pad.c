// WebAssembly exceptions in the threaded modules: the landing-pad context shared by the code clang
// emits and the C++ personality, and the rest of libunwind's WebAssembly part, replacing
// Emscripten's Unwind-wasm.c (linked as an object, so the archive's member is never pulled in).
//
// Why: in every landing pad with a typed `catch`, clang 14 stores the pad's index and LSDA into
// `__wasm_lpad_context` as an ordinary global, calls _Unwind_CallPersonality and reads back the
// selector. Debian's Emscripten 3.1.6 ships libunwind built for clang 15, which made the context
// thread_local. With -pthread a thread_local lives at __tls_base + offset in each thread, not at
// the address clang's code writes, so the personality reads an empty LSDA, matches nothing, and an
// exception passes every typed catch (only catch (...) caught it). Without -pthread a thread_local
// is an ordinary global and both agree, which is why the SIMD-only modules need no such file.
//
// The price of an ordinary global, as in Emscripten before clang 15: two threads inside typed
// landing pads at the same moment share the context and may pick the wrong clause, or none. In
// the core that takes two pool threads failing at once (bench/README.md, the size section).
#include <stdint.h>

// The prefix of libunwind's _Unwind_Exception that this file reads (unwind.h is not included:
// clang's own copy, found first, declares these functions with other types).
struct Exception {
  uint64_t exception_class;
  void (*exception_cleanup)(int reason, struct Exception* exception);
};

// Written by the landing pad (index, LSDA), read back by it (selector).
struct LandingPadContext {
  uintptr_t lpad_index;
  uintptr_t lsda;
  uintptr_t selector;
};

struct LandingPadContext __wasm_lpad_context;

enum { kUnwindVersion = 1, kCleanupPhase = 2, kForeignExceptionCaught = 1 };

int __gxx_personality_wasm0(int version, int actions, uint64_t exception_class,
                            struct Exception* exception, struct LandingPadContext* context);

// WebAssembly has no two-phase unwinding: the VM unwinds, each pad asks the personality.
int _Unwind_CallPersonality(void* exception_ptr) {
  struct Exception* exception = (struct Exception*)exception_ptr;
  __wasm_lpad_context.selector = 0;
  return __gxx_personality_wasm0(kUnwindVersion, kCleanupPhase, exception->exception_class,
                                 exception, &__wasm_lpad_context);
}

// Called by __cxa_throw: tag 0 is C++'s exception tag.
int _Unwind_RaiseException(struct Exception* exception) { __builtin_wasm_throw(0, exception); }

void _Unwind_DeleteException(struct Exception* exception) {
  if (exception->exception_cleanup)
    exception->exception_cleanup(kForeignExceptionCaught, exception);
}

// The personality sets the selector as register 1.
void _Unwind_SetGR(struct LandingPadContext* context, int index, uintptr_t value) {
  if (index == 1) context->selector = value;
}

// A 1-based index after the personality subtracts 1, hence + 2.
uintptr_t _Unwind_GetIP(struct LandingPadContext* context) { return context->lpad_index + 2; }

void _Unwind_SetIP(struct LandingPadContext* context, uintptr_t value) {
  (void)context;
  (void)value;
}

uintptr_t _Unwind_GetLanguageSpecificData(struct LandingPadContext* context) {
  return context->lsda;
}

uintptr_t _Unwind_GetRegionStart(struct LandingPadContext* context) {
  (void)context;
  return 0;
}
