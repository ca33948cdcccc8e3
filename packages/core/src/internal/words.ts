import { futexWait, futexWaitAsync, futexWake } from '@mp/native';

/**
 * Wait and wake on a 32-bit word of shared memory, by the mechanism that
 * matches the memory: V8's `Atomics.wait`/`notify` for a process-local
 * arena, the futex syscall (through `@mp/native`) for an arena mapped into
 * several processes — V8 emulates `Atomics.wait` inside one process and its
 * `notify` never reaches another. The two must never be mixed on one word, so
 * the choice is made by the arena, never by the caller.
 *
 * A futex wait may return `'ok'` spuriously: every caller re-checks its word.
 */
export type WordWaitResult = 'ok' | 'not-equal' | 'timed-out';

/**
 * A blocking futex wait sleeps in the kernel, where `worker.terminate()` cannot
 * reach it: a thread child waiting forever could never be terminated, and a
 * daemon could keep its program alive. So it sleeps in slices and returns to
 * JavaScript between them, where a pending termination takes effect.
 */
const FUTEX_SLICE_MS = 50;

export function waitWord(crossProcess: boolean, view: Int32Array, index: number, expected: number, timeout: number): WordWaitResult {
  if (!crossProcess) return Atomics.wait(view, index, expected, timeout);
  const deadline = performance.now() + timeout;
  for (;;) {
    const remaining = deadline - performance.now();
    const result = futexWait(view, index, expected, Math.max(0, Math.min(remaining, FUTEX_SLICE_MS)));
    if (result !== 'timed-out' || remaining <= FUTEX_SLICE_MS) return result;
  }
}

export function waitWordAsync(
  crossProcess: boolean,
  view: Int32Array,
  index: number,
  expected: number,
  timeout: number,
): { async: false; value: WordWaitResult } | { async: true; value: Promise<WordWaitResult> } {
  if (!crossProcess) return Atomics.waitAsync(view, index, expected, timeout) as never;
  // futexWaitAsync keeps the event loop alive by itself while it waits.
  return { async: true, value: futexWaitAsync(view, index, expected, timeout) };
}

export function notifyWord(crossProcess: boolean, view: Int32Array, index: number, count?: number): number {
  return crossProcess ? futexWake(view, index, count) : Atomics.notify(view, index, count);
}
