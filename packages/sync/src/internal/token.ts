import { isolateToken } from '@mp/core';

let own = 0;

/**
 * This isolate's token (see `isolateToken()` in `@mp/core`), cached: module
 * instances are per isolate, so the cache cannot leak between threads, and the
 * lock fast path pays one load instead of a registry lookup.
 */
export function me(): number {
  return own !== 0 ? own : (own = isolateToken());
}
