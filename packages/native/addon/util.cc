#include "util.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace mp {

void ThrowIfNoneIsPending(napi_env env, const char* what) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  char message[512];
  snprintf(message, sizeof message, "@mp/native: %s failed: %s", what,
           info != nullptr && info->error_message != nullptr ? info->error_message : "unknown error");
  napi_throw_error(env, "ERR_MP_NATIVE_INTERNAL", message);
}

static void SetString(napi_env env, napi_value object, const char* key, const char* value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, object, key, v);
  }
}

napi_value ErrnoError(napi_env env, int err, const char* syscall, const char* path) {
  // libuv's error codes are -errno on Unix, so its tables name any errno.
  const char* name = uv_err_name(-err);
  char message[512];
  if (path != nullptr) {
    snprintf(message, sizeof message, "%s, %s '%s'", name, syscall, path);
  } else {
    snprintf(message, sizeof message, "%s, %s", name, syscall);
  }
  napi_value code, msg, error, errno_value;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok) {
    return nullptr;
  }
  if (napi_create_int32(env, -err, &errno_value) == napi_ok) {
    napi_set_named_property(env, error, "errno", errno_value);
  }
  SetString(env, error, "syscall", syscall);
  SetString(env, error, "description", uv_strerror(-err));
  if (path != nullptr) SetString(env, error, "path", path);
  return error;
}

void ThrowErrno(napi_env env, int err, const char* syscall, const char* path) {
  napi_value error = ErrnoError(env, err, syscall, path);
  if (error == nullptr) {
    ThrowIfNoneIsPending(env, syscall);
    return;
  }
  napi_throw(env, error);
}

void ThrowCoded(napi_env env, const char* code, const char* message) {
  napi_throw_error(env, code, message);
}

bool GetDouble(napi_env env, napi_value value, const char* what, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    char message[256];
    snprintf(message, sizeof message, "@mp/native: expected %s to be a number", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return false;
  }
  return true;
}

bool GetString(napi_env env, napi_value value, const char* what, char* out, size_t capacity) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) {
    char message[256];
    snprintf(message, sizeof message, "@mp/native: expected %s to be a string", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return false;
  }
  if (length + 1 > capacity) {
    char message[256];
    snprintf(message, sizeof message, "@mp/native: %s is too long (%zu bytes, at most %zu)", what, length,
             capacity - 1);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
    return false;
  }
  return napi_get_value_string_utf8(env, value, out, capacity, &length) == napi_ok;
}

bool GetWaitArgs(napi_env env, size_t argc, napi_value* argv, const char* usage, int32_t** word,
                 int32_t* expected, double* timeout_ms) {
  if (argc < 4) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", usage);
    return false;
  }
  if (!GetWord(env, argv[0], argv[1], word)) return false;
  if (napi_get_value_int32(env, argv[2], expected) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "@mp/native: `expected` must be a number");
    return false;
  }
  if (!GetDouble(env, argv[3], "the timeout", timeout_ms)) return false;
  if (std::isnan(*timeout_ms)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "@mp/native: the timeout is NaN");
    return false;
  }
  return true;
}

bool GetWord(napi_env env, napi_value array, napi_value index, int32_t** out) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, array, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, array, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_int32_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "@mp/native: expected an Int32Array");
    return false;
  }
  double i = 0;
  if (!GetDouble(env, index, "the index", &i)) return false;
  if (!(i >= 0) || i != std::floor(i) || i >= static_cast<double>(length) || data == nullptr) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "@mp/native: index out of range");
    return false;
  }
  *out = static_cast<int32_t*>(data) + static_cast<size_t>(i);
  return true;
}

bool DeadlineAfter(double timeout_ms, timespec* deadline) {
  // Past ~2^53 ns (104 days) the deadline arithmetic loses precision; treat such
  // timeouts, like +Infinity and NaN, as "no limit".
  if (!(timeout_ms >= 0) || !std::isfinite(timeout_ms) || timeout_ms > 9.0e9) return false;
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  // Round the timeout up to whole nanoseconds: rounding down could end the wait
  // before the caller's timeout elapsed.
  const long long add_ns = static_cast<long long>(std::ceil(timeout_ms * 1e6));
  long long sec = now.tv_sec + add_ns / 1000000000LL;
  long long nsec = now.tv_nsec + add_ns % 1000000000LL;
  if (nsec >= 1000000000LL) {
    sec += 1;
    nsec -= 1000000000LL;
  }
  deadline->tv_sec = static_cast<time_t>(sec);
  deadline->tv_nsec = static_cast<long>(nsec);
  return true;
}

long FutexWaitUntil(int32_t* word, int32_t expected, const timespec* deadline, uint32_t bitset) {
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline (FUTEX_WAIT takes
  // a relative one), which is what makes EINTR retries exact.
  return syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, deadline, nullptr, bitset);
}

long FutexWake(int32_t* word, int count, uint32_t bitset) {
  return syscall(SYS_futex, word, FUTEX_WAKE_BITSET, count, nullptr, nullptr, bitset);
}

WaitResult WaitOnWord(int32_t* word, int32_t expected, const timespec* deadline, uint32_t bitset,
                      const std::atomic<bool>* cancelled, int* err) {
  for (;;) {
    if (cancelled != nullptr && cancelled->load()) return kOk;
    // The kernel compares *word with `expected` under the futex bucket lock, after
    // queueing this thread: a waker that changes the word and then calls
    // FUTEX_WAKE either finds this thread queued, or this compare sees the new
    // value (EAGAIN). That is why no wake-up can be lost between the caller's own
    // check of the word and the sleep.
    long rc = FutexWaitUntil(word, expected, deadline, bitset);
    if (rc == 0) return kOk;  // Woken (possibly spuriously: callers re-check the word).
    int e = errno;
    if (e == EAGAIN) return kNotEqual;
    if (e == ETIMEDOUT) return kTimedOut;
    if (e == EINTR) continue;  // Same absolute deadline: a signal cannot shorten the wait.
    *err = e;
    return kFailed;
  }
}

napi_value ResultString(napi_env env, WaitResult result) {
  const char* text = result == kOk ? "ok" : result == kNotEqual ? "not-equal" : "timed-out";
  napi_value value = nullptr;
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

}  // namespace mp
