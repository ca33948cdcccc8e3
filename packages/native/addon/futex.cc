// Blocking futex wait and wake on a 32-bit word of shared memory.

#include "futex.h"

#include <errno.h>

#include <climits>
#include <cmath>

#include "util.h"

namespace mp {

// wait(array: Int32Array, index: number, expected: number, timeoutMs: number)
//   → 'ok' | 'not-equal' | 'timed-out'
// timeoutMs is a finite number >= 0, or +Infinity for no limit (the JavaScript
// layer normalises undefined and negative values).
napi_value Wait(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t* word = nullptr;
  int32_t expected = 0;
  double timeout_ms = 0;
  if (!GetWaitArgs(env, argc, argv, "@mp/native: wait(array, index, expected, timeoutMs)", &word, &expected,
                   &timeout_ms)) {
    return nullptr;
  }

  if (timeout_ms <= 0) {
    // "Do not wait": report what a wait would have seen, without a syscall.
    int32_t now = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    return ResultString(env, now == expected ? kTimedOut : kNotEqual);
  }
  timespec deadline;
  const bool limited = DeadlineAfter(timeout_ms, &deadline);
  int err = 0;
  WaitResult result = WaitOnWord(word, expected, limited ? &deadline : nullptr, kSyncBit, nullptr, &err);
  if (result == kFailed) {
    ThrowErrno(env, err, "futex", nullptr);
    return nullptr;
  }
  return ResultString(env, result);
}

// wake(array: Int32Array, index: number, count: number) → number of waiters woken
// count is an integer >= 0 or +Infinity (every waiter).
napi_value Wake(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 3) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "@mp/native: wake(array, index, count)");
    return nullptr;
  }
  int32_t* word = nullptr;
  double count = 0;
  if (!GetWord(env, argv[0], argv[1], &word)) return nullptr;
  if (!GetDouble(env, argv[2], "the count", &count)) return nullptr;
  int n = !(count > 0) ? 0 : count >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(count);
  long woken = 0;
  if (n > 0) {
    // All bits: wakes synchronous and asynchronous waiters alike (FUTEX_WAKE).
    woken = FutexWake(word, n, kAllBits);
    if (woken < 0) {
      ThrowErrno(env, errno, "futex", nullptr);
      return nullptr;
    }
  }
  napi_value result;
  MP_CALL(env, napi_create_int64(env, woken, &result));
  return result;
}

}  // namespace mp
