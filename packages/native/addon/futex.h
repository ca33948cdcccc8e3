#pragma once

#include <node_api.h>

namespace mp {
napi_value Wait(napi_env env, napi_callback_info info);
napi_value Wake(napi_env env, napi_callback_info info);
}  // namespace mp
