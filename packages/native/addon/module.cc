// @mp/native: POSIX shared memory as SharedArrayBuffers, futex wait/wake on it, and
// the parent-death signal, for Node.js on Linux. The JavaScript API in ../src
// validates arguments and wraps errors; this layer only re-checks what memory
// safety depends on.
//
// Context-aware: NAPI_MODULE_INIT runs once per environment (main thread and every
// worker that loads the addon), and all per-environment state lives in Node-API
// instance data.

#include <node_api.h>

#include "abi.h"
#include "futex.h"
#include "parent_death.h"
#include "segment.h"
#include "util.h"
#include "waiters.h"

namespace mp {
namespace {

void DeleteWaiters(napi_env env, void* data, void* hint) { delete static_cast<Waiters*>(data); }

}  // namespace
}  // namespace mp

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  mp::Waiters* waiters = new mp::Waiters();
  if (napi_set_instance_data(env, waiters, mp::DeleteWaiters, nullptr) != napi_ok) {
    delete waiters;
    mp::ThrowIfNoneIsPending(env, "napi_set_instance_data");
    return nullptr;
  }
  if (!waiters->Init(env)) return nullptr;

  napi_value abi;
  // The ABI this binary was compiled for: segment.cc uses V8's C++ API, so the
  // loader must refuse to use it under any other Node ABI.
  MP_CALL(env, napi_create_int32(env, mp::CompiledAbi(), &abi));

  const napi_property_descriptor properties[] = {
      {"abi", nullptr, nullptr, nullptr, nullptr, abi, napi_enumerable, nullptr},
      {"createSegment", nullptr, mp::CreateSegment, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"openSegment", nullptr, mp::OpenSegment, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setParentDeathSignal", nullptr, mp::SetParentDeathSignal, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unlinkSegment", nullptr, mp::UnlinkSegment, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"wait", nullptr, mp::Wait, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"waitAsync", nullptr, mp::Waiters::WaitAsync, nullptr, nullptr, nullptr, napi_enumerable, waiters},
      {"wake", nullptr, mp::Wake, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  MP_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
