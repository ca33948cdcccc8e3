import { describe } from '@mp/core/internal';

/**
 * Timeouts, as SPEC.md states them: milliseconds; `undefined` waits without
 * limit; `0` does not wait; a negative value counts as 0; and a timed wait
 * never gives up before its timeout has elapsed — every "timed out" answer is
 * checked against a monotonic clock, not taken from `Atomics.wait`'s word.
 */

/** Normalises a user's timeout to milliseconds (`Infinity` for none). */
export function toTimeout(timeout: unknown, name = 'timeout'): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`Expected \`${name}\` to be a number of milliseconds or undefined, got ${describe(timeout)}`);
  }
  return timeout > 0 ? timeout : 0;
}

/** The monotonic clock of this isolate, in milliseconds. */
export const now: () => number = () => performance.now();

/** The moment a wait of `timeout` ms (from {@link toTimeout}) starting now must end. */
export function deadlineAfter(timeout: number): number {
  return timeout === Infinity ? Infinity : now() + timeout;
}

/** How long to sleep at most before `deadline`; `0` once it has passed. */
export function remaining(deadline: number): number {
  if (deadline === Infinity) return Infinity;
  const left = deadline - now();
  return left > 0 ? left : 0;
}

/**
 * For methods that return a promise: the normalised timeout, or a rejected
 * promise for a bad one (such methods reject rather than throw).
 */
export function timeoutOrReject(timeout: unknown): number | Promise<never> {
  if (timeout === undefined) return Infinity;
  try {
    return toTimeout(timeout);
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
