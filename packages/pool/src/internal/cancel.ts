import { TimeoutError } from '@mp/core';
import { describe } from '@mp/core/internal';
import { AbortError } from '../errors.js';
import { after } from './timeout.js';

/** The cancellation options of a call: `signal` and `timeout`, checked. */
export interface CancelOptions {
  readonly signal: AbortSignal | undefined;
  /** Milliseconds; `undefined`: no deadline. */
  readonly timeout: number | undefined;
}

/**
 * Checks `signal` and `timeout` of a call's options.
 *
 * @throws TypeError for a `signal` that is not an `AbortSignal`, a `timeout` that is not a number
 * @throws RangeError for a negative or NaN `timeout`
 */
export function checkCancel(signal: unknown, timeout: unknown, owner: string): CancelOptions | undefined {
  if (signal === undefined && timeout === undefined) return undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Expected the \`signal\` option of ${owner} to be an AbortSignal (from an AbortController), got ${describe(signal)}`);
  }
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') {
      throw new TypeError(`Expected the \`timeout\` option of ${owner} to be a number of milliseconds, got ${describe(timeout)}`);
    }
    if (Number.isNaN(timeout) || timeout < 0) {
      throw new RangeError(`Expected the \`timeout\` option of ${owner} to be a number of milliseconds ≥ 0 (Infinity: none), got ${describe(timeout)}`);
    }
  }
  return { signal, timeout: timeout === Infinity ? undefined : timeout };
}

/** The error of work whose signal was aborted: Node's convention (`name` AbortError, `cause` the reason). */
export function abortError(signal: AbortSignal, what: string): AbortError {
  return new AbortError(`${what} was aborted: its AbortSignal was aborted (the reason is the \`cause\`)`, { cause: signal.reason });
}

function timeoutError(ms: number, what: string): TimeoutError {
  return new TimeoutError(`${what} did not finish within its \`timeout\` of ${ms} ms: it was stopped (its worker replaced if it was running)`);
}

/**
 * One listener per signal, whatever the number of tasks that use it: Node
 * warns about a leak past 10 listeners on an `AbortSignal`, and a server may
 * share one signal between many tasks of a request.
 */
const listeners = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, stop: () => void): () => void {
  let set = listeners.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    listeners.set(signal, (set = fresh));
    signal.addEventListener(
      'abort',
      () => {
        listeners.delete(signal);
        for (const fn of fresh) fn();
      },
      { once: true },
    );
  }
  set.add(stop);
  const owned = set;
  return () => owned.delete(stop);
}

/**
 * Watches a call's signal and deadline: calls `stop` once with the error when
 * either fires first. `dispose()` (when the work settles) stops watching.
 *
 * @returns a dispose function, or the error at once when the signal is already aborted
 */
export function watch(options: CancelOptions, what: string, stop: (error: Error) => void): (() => void) | Error {
  const { signal, timeout } = options;
  if (signal?.aborted) return abortError(signal, what);
  let offSignal: (() => void) | undefined;
  let cancelTimer: (() => void) | undefined;
  let fired = false;
  const fire = (error: Error) => {
    if (fired) return;
    fired = true;
    dispose();
    stop(error);
  };
  const dispose = () => {
    offSignal?.();
    cancelTimer?.();
  };
  if (signal) offSignal = onAbort(signal, () => fire(abortError(signal, what)));
  if (timeout !== undefined) cancelTimer = after(timeout, () => fire(timeoutError(timeout, what)));
  return dispose;
}
