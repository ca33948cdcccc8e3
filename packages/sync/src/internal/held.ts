import { TimeoutError } from '@mp/core';
import type { Held } from '../held.js';

/**
 * A {@link Held}: releases its lock once, at the first dispose. A class (not
 * an object literal with symbol keys) so that V8 keeps one shape for it and
 * a `using` scope costs a few nanoseconds.
 */
export class HeldScope implements Held {
  #lock: { release(): void } | undefined;

  constructor(lock: { release(): void }) {
    this.#lock = lock;
  }

  [Symbol.dispose](): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    lock.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    try {
      this[Symbol.dispose]();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

/** The error of a `hold()` / `holdSync()` that timed out. */
export function timedOut(what: string, timeout: number | undefined): TimeoutError {
  return new TimeoutError(
    `Could not acquire the ${what} within ${String(timeout)} ms: other threads or processes hold it. ` +
      'Pass a longer timeout, or none to wait without limit.',
  );
}
