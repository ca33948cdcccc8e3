#pragma once

namespace mp {
// NODE_MODULE_VERSION of the headers this binary was compiled against.
int CompiledAbi();
}  // namespace mp
