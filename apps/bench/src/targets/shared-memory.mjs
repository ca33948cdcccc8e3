// SharedMemory attach by name, in a child that was given the name only (a string, as a
// program started by hand would be): `warm` untimed attach+close, then n timed.
import { SharedMemory } from '@mp/shared';

/**
 * @param {string} name
 * @param {number} n
 * @param {number} warm
 * @param {Float64Array} report - [µs per attach+close]
 */
export function attach(name, n, warm, report) {
  for (let i = 0; i < warm; i++) new SharedMemory({ name }).close();
  const start = performance.now();
  for (let i = 0; i < n; i++) new SharedMemory({ name }).close();
  report[0] = ((performance.now() - start) * 1e3) / n;
}
