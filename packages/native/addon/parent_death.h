#pragma once

#include <node_api.h>

namespace mp {
napi_value SetParentDeathSignal(napi_env env, napi_callback_info info);
}  // namespace mp
