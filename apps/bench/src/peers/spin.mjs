// A task that never ends and never yields: the abort-latency case stops it from outside.
// @mp/pool and every peer run this same function.

/** Spins on the CPU for ever: only ending its worker stops it. */
export function spin() {
  for (;;);
}
