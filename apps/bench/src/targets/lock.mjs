// Lock cases: uncontended acquire+release in a child that received the lock, and
// contended increments of a Value under its own lock by two children.
import { enter, leave } from './gate.mjs';

/**
 * @param {import('@mp/sync').Lock} lock
 * @param {number} ops
 * @param {Float64Array} report - [ns per acquire+release]
 */
export function uncontended(lock, ops, report) {
  const cycle = (/** @type {number} */ count) => {
    for (let i = 0; i < count; i++) {
      lock.acquireSync();
      lock.release();
    }
  };
  cycle(Math.min(ops, 100_000)); // untimed: lets the JIT compile the loop
  const start = performance.now();
  cycle(ops);
  report[0] = ((performance.now() - start) * 1e6) / ops;
}

/**
 * Python's `with v.get_lock(): v.value += 1`, `times` times, between the gates.
 * @param {import('@mp/shared').Value<'i'>} value
 * @param {number} times
 * @param {Int32Array} gate
 */
export function increment(value, times, gate) {
  const lock = value.getLock();
  enter(gate);
  for (let i = 0; i < times; i++) {
    lock.acquireSync();
    try {
      value.value += 1;
    } finally {
      lock.release();
    }
  }
  leave(gate);
}
