#pragma once

#include <node_api.h>

namespace mp {
napi_value CreateSegment(napi_env env, napi_callback_info info);
napi_value OpenSegment(napi_env env, napi_callback_info info);
napi_value UnlinkSegment(napi_env env, napi_callback_info info);
}  // namespace mp
