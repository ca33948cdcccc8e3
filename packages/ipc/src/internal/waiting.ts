import { waitAsync, waitSync } from '@mp/core';

/**
 * One algorithm, two ways to block. The waiting parts of the queue and pipe
 * algorithms are generators that yield a {@link WaitRequest} each time they
 * must sleep; {@link runSync} sleeps with `Atomics.wait` (the `…Sync` methods),
 * {@link runAsync} with core's `waitAsync` (the promise methods), which holds
 * the event loop open only while the wait is pending. The algorithm itself is
 * written once, so the two forms cannot drift apart.
 */

/** "Sleep while `view[index] === value`, at most `timeout` ms." */
export interface WaitRequest {
  readonly view: Int32Array;
  readonly index: number;
  readonly value: number;
  /** Milliseconds; `Infinity` for no limit. */
  readonly timeout: number;
}

/** A blocking algorithm: yields waits, returns its result. */
export type Op<T> = Generator<WaitRequest, T, void>;

/**
 * The longest single blocking wait. When the arena is shared between
 * processes, core waits with the futex syscall, and a worker thread inside a
 * syscall cannot be stopped: `terminate()`/`kill()` of a thread child blocked
 * in an unbounded wait would never complete, nor would the exit of a program
 * whose daemon child waits forever. Waiting in slices gives the thread back
 * to V8 at least this often, where a pending termination takes effect.
 */
export const SYNC_SLICE_MS = 50;

/** Runs `op`, blocking the calling thread at each wait. */
export function runSync<T>(op: Op<T>): T {
  for (let step = op.next(); ; step = op.next()) {
    if (step.done) return step.value;
    const { view, index, value, timeout } = step.value;
    const end = performance.now() + timeout;
    for (;;) {
      const slice = Math.min(SYNC_SLICE_MS, Math.max(0, end - performance.now()));
      if (waitSync(view, index, value, slice) !== 'timed-out' || performance.now() >= end) break;
    }
  }
}

/** Runs `op`, awaiting each wait without blocking the event loop. */
export async function runAsync<T>(op: Op<T>): Promise<T> {
  for (let step = op.next(); ; step = op.next()) {
    if (step.done) return step.value;
    const wait = step.value;
    await waitAsync(wait.view, wait.index, wait.value, wait.timeout);
  }
}

/**
 * Calls `ready` in a tight loop for up to `budgetMs`: a peer on another core
 * usually answers within microseconds, far sooner than a sleep/wake-up round
 * trip through the futex (5–10 µs each way). Returns what `ready` returned last.
 */
export function spin<T>(ready: () => T | undefined, budgetMs: number): T | undefined {
  const start = performance.now();
  for (let i = 1; ; i++) {
    const result = ready();
    if (result !== undefined) return result;
    // Reading the clock costs ~30 ns: look at it every 32 tries only.
    if ((i & 31) === 0 && performance.now() - start >= budgetMs) return undefined;
  }
}
