// prctl(PR_SET_PDEATHSIG): a signal the kernel sends this process when the
// thread that created it ends (its parent dies). Unlike an IPC channel closing,
// it needs nothing of this process's event loop: SIGKILL ends a child that is
// busy in synchronous JavaScript.

#include "parent_death.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>

#include "util.h"

namespace mp {

// setParentDeathSignal(signal: number) → undefined
// signal: an integer from 0 (clear the setting) to 64 (SIGRTMAX), validated by the
// JavaScript layer; the kernel re-checks it (EINVAL).
//
// The setting belongs to the calling thread (task) of this process: the kernel
// signals the whole process when the parent dies if any of its live threads set
// it, so a worker thread that sets it and then ends takes the setting away.
napi_value SetParentDeathSignal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "@mp/native: setParentDeathSignal(signal)");
    return nullptr;
  }
  double value = 0;
  if (!GetDouble(env, argv[0], "the signal", &value)) return nullptr;
  if (!(value >= 0) || value > 64 || value != static_cast<double>(static_cast<int>(value))) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "@mp/native: the signal must be an integer from 0 to 64");
    return nullptr;
  }
  if (prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(value), 0UL, 0UL, 0UL) != 0) {
    ThrowErrno(env, errno, "prctl", nullptr);
    return nullptr;
  }
  return nullptr;  // undefined
}

}  // namespace mp
