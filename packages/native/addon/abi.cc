// A translation unit of its own: node_version.h defines NAPI_VERSION (the
// runtime's), which must not leak into the files that include node_api.h, where
// NAPI_VERSION selects the Node-API level this addon is written against (8).
#include <node_version.h>

#include "abi.h"

namespace mp {
int CompiledAbi() { return NODE_MODULE_VERSION; }
}  // namespace mp
