import { describe } from '@mp/core/internal';

/**
 * Timeouts as the house rules define them: milliseconds; `undefined` = no
 * limit; `0` = do not wait; negative = 0. A deadline is a `performance.now()`
 * instant; `Infinity` means no limit.
 */

/**
 * The deadline of a wait starting now.
 *
 * @throws TypeError when `timeout` is neither a number nor `undefined` (or is NaN)
 */
export function toDeadline(timeout: unknown, name = 'timeout'): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`Expected \`${name}\` to be a number of milliseconds or undefined, got ${describe(timeout)}`);
  }
  return performance.now() + Math.max(0, timeout);
}

/**
 * Milliseconds left until `deadline`, at most `slice` (so that a waiter wakes
 * up now and then to look for a dead peer). `0` once the deadline has passed.
 */
export function remaining(deadline: number, slice = Infinity): number {
  if (deadline === Infinity) return slice;
  return Math.min(slice, Math.max(0, deadline - performance.now()));
}

/** True once `deadline` has passed: a timed wait gives up only then, never before. */
export function expired(deadline: number): boolean {
  return deadline !== Infinity && performance.now() >= deadline;
}
