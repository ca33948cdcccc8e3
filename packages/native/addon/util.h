// Helpers shared by the addon's source files: Node-API error plumbing, argument
// decoding, and the raw futex syscall.
#pragma once

#include <node_api.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace mp {

// Returns from the enclosing napi_callback with `nullptr` when a Node-API call
// fails; the failed call has already left a pending exception in most cases, and
// ThrowIfNoneIsPending adds a generic one otherwise.
#define MP_CALL(env, call)                           \
  do {                                               \
    if ((call) != napi_ok) {                         \
      ::mp::ThrowIfNoneIsPending((env), #call);      \
      return nullptr;                                \
    }                                                \
  } while (0)

void ThrowIfNoneIsPending(napi_env env, const char* what);

// Throws an Error shaped like Node's system errors: `code` is the errno name
// ('EEXIST'), `errno` the negative errno (as in node:fs), `syscall`, `path`.
napi_value ErrnoError(napi_env env, int err, const char* syscall, const char* path);
void ThrowErrno(napi_env env, int err, const char* syscall, const char* path);

// Throws an Error with a `code` property.
void ThrowCoded(napi_env env, const char* code, const char* message);

// Reads argument `i` as a JavaScript number; throws a TypeError otherwise.
bool GetDouble(napi_env env, napi_value value, const char* what, double* out);

// Reads a string argument (at most `capacity - 1` bytes of UTF-8).
bool GetString(napi_env env, napi_value value, const char* what, char* out, size_t capacity);

// Resolves (Int32Array, index) to the address of that 32-bit word. The JavaScript
// layer has validated the arguments already; this re-checks what memory safety
// depends on (type and bounds), so a direct caller of the addon cannot make it
// touch memory outside the array.
bool GetWord(napi_env env, napi_value array, napi_value index, int32_t** out);

// Reads the four arguments of a wait — (array, index, expected, timeoutMs) —
// shared by the blocking and the asynchronous wait. `usage` names the call in
// the error thrown when an argument is missing.
bool GetWaitArgs(napi_env env, size_t argc, napi_value* argv, const char* usage, int32_t** word,
                 int32_t* expected, double* timeout_ms);

// Interprets a timeout in milliseconds (already normalised by the JavaScript
// layer: a finite number >= 0, or +Infinity for "no limit") as an absolute
// CLOCK_MONOTONIC deadline. Returns false when there is no deadline.
bool DeadlineAfter(double timeout_ms, timespec* deadline);

// The futex operations the addon uses. FUTEX_WAIT_BITSET and FUTEX_WAKE, never the
// _PRIVATE variants: private futexes are keyed by (mm, address) and so only work
// inside one process; shared ones are keyed by the backing inode and offset, which
// is what makes a wake in one process reach a waiter in another.
long FutexWaitUntil(int32_t* word, int32_t expected, const timespec* deadline, uint32_t bitset);
long FutexWake(int32_t* word, int count, uint32_t bitset);

// Waiters pick bits so that env teardown can wake its own asynchronous waiters
// without a wake-up for every synchronous waiter on the same word:
//   synchronous waiters wait on  kSyncBit,
//   asynchronous waiters wait on kSyncBit | kCancelBit,
//   futexWake wakes every bit (FUTEX_WAKE == FUTEX_WAKE_BITSET with all bits),
//   teardown wakes kCancelBit only.
constexpr uint32_t kSyncBit = 1u;
constexpr uint32_t kCancelBit = 1u << 31;
constexpr uint32_t kAllBits = 0xffffffffu;

// Result codes shared by the synchronous and asynchronous waits.
enum WaitResult { kOk = 0, kNotEqual = 1, kTimedOut = 2, kFailed = 3 };

// One futex wait until `deadline` (or forever), retried on EINTR with the same
// absolute deadline so a signal can neither shorten nor lengthen the wait.
// `*err` receives errno when the result is kFailed. Returns kOk without waiting
// (or after the wake-up) once `*cancelled` is set.
WaitResult WaitOnWord(int32_t* word, int32_t expected, const timespec* deadline, uint32_t bitset,
                      const std::atomic<bool>* cancelled, int* err);

napi_value ResultString(napi_env env, WaitResult result);

}  // namespace mp
