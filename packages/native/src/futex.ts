import { addon, type WaitResult } from './internal/addon.js';
import { describe } from './internal/describe.js';

/**
 * What a futex wait reports:
 * - `'ok'`: woken by {@link futexWake} — or spuriously, as `futex(2)` allows: the
 *   caller must re-check the word (every futex-based protocol loops anyway);
 * - `'not-equal'`: the word did not hold `expected` when the wait began;
 * - `'timed-out'`: the timeout elapsed (never earlier).
 *
 * Python: the boolean `Semaphore.acquire(timeout=…)` returns, split in three like
 * `Atomics.wait`'s result.
 */
export type FutexWaitResult = WaitResult;

function checkWord(array: unknown, index: unknown, where: string): asserts array is Int32Array {
  if (!(array instanceof Int32Array) || !(array.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Expected the array of ${where} to be an Int32Array over a SharedArrayBuffer (e.g. new Int32Array(createSegment(…))), ` +
        `got ${describe(array)}`,
    );
  }
  if (typeof index !== 'number') {
    throw new TypeError(`Expected \`index\` of ${where} to be an integer, got ${describe(index)}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= array.length) {
    throw new RangeError(
      `Expected \`index\` of ${where} to be an integer from 0 to ${array.length - 1}, got ${describe(index)}`,
    );
  }
}

function checkExpected(expected: unknown, where: string): number {
  if (typeof expected !== 'number') {
    throw new TypeError(`Expected \`expected\` of ${where} to be a number, got ${describe(expected)}`);
  }
  return expected | 0; // As Atomics.wait: the value is compared as an int32.
}

/** undefined → Infinity (no limit); negative → 0 (do not wait). */
function timeoutOf(timeout: unknown, where: string): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(
      `Expected \`timeout\` of ${where} to be a number of milliseconds or undefined (no limit), got ${describe(timeout)}`,
    );
  }
  return timeout < 0 ? 0 : timeout;
}

/**
 * Blocks the calling thread while `array[index]` holds `expected`, until
 * {@link futexWake} on the same word (from any thread of any process that maps the
 * same memory), or until `timeout` milliseconds elapsed.
 *
 * This is `Atomics.wait` across processes: V8's own `Atomics.wait` / `Atomics.notify`
 * only reach threads of one process (V8 keeps its own waiter lists), so do not
 * mix them with the futex functions on the same word. The comparison and the sleep
 * are one atomic step in the kernel, so a wake that follows a change of the word
 * cannot be lost: either the wait sees the new value (`'not-equal'`) or it is
 * already queued and gets woken. Signals do not shorten the wait.
 *
 * On the main thread this blocks the event loop, like `Atomics.wait`; see
 * {@link futexWaitAsync}.
 *
 * Python: `Semaphore.acquire()` on a named POSIX semaphore (`sem_timedwait`).
 *
 * @param array - An `Int32Array` over a `SharedArrayBuffer` (from {@link createSegment} /
 * {@link openSegment} to work across processes).
 * @param index - The word's index in `array`.
 * @param expected - Sleep only while the word holds this value (compared as an int32).
 * @param timeout - Milliseconds; `undefined` = no limit, `0` or negative = do not wait.
 * @returns `'ok'` (woken, possibly spuriously), `'not-equal'` or `'timed-out'`.
 * @throws TypeError / RangeError on a bad array, index, value or timeout.
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { futexWait, futexWake } from '@mp/native';
 * // Process A:                                   // Process B:
 * while (Atomics.load(words, 0) === 0) {          Atomics.store(words, 0, 1);
 *   futexWait(words, 0, 0);                       futexWake(words, 0);
 * }
 * ```
 */
export function futexWait(array: Int32Array, index: number, expected: number, timeout?: number): FutexWaitResult {
  checkWord(array, index, 'futexWait()');
  const value = checkExpected(expected, 'futexWait()');
  const ms = timeoutOf(timeout, 'futexWait()');
  return addon().wait(array, index, value, ms);
}

/**
 * Waits like {@link futexWait} without blocking: the wait runs on a dedicated
 * thread of the addon (never libuv's thread pool, which it would starve), and the
 * promise settles on the event loop.
 *
 * A pending wait keeps the event loop alive (as a timer does), unlike
 * `Atomics.waitAsync` on Node 20. When the word already differs, or `timeout` is 0,
 * the promise settles without a thread. The timeout runs from the call; the promise
 * settles on a later event-loop turn, so it may settle a little after the deadline,
 * never before. When a worker thread with pending waits ends, its waits are
 * cancelled and their threads stopped (the promises never settle: the thread's
 * event loop is gone).
 *
 * Python: none (CPython's semaphores only block); this is what `Atomics.waitAsync`
 * is to `Atomics.wait`.
 *
 * @param array - An `Int32Array` over a `SharedArrayBuffer`.
 * @param index - The word's index in `array`.
 * @param expected - Wait only while the word holds this value (compared as an int32).
 * @param timeout - Milliseconds; `undefined` = no limit, `0` or negative = do not wait.
 * @returns A promise of `'ok'` (woken, possibly spuriously), `'not-equal'` or `'timed-out'`.
 * @throws TypeError / RangeError on a bad array, index, value or timeout (synchronously).
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { futexWaitAsync } from '@mp/native';
 * while (Atomics.load(words, 0) === 0) {
 *   await futexWaitAsync(words, 0, 0);
 * }
 * ```
 */
export function futexWaitAsync(
  array: Int32Array,
  index: number,
  expected: number,
  timeout?: number,
): Promise<FutexWaitResult> {
  checkWord(array, index, 'futexWaitAsync()');
  const value = checkExpected(expected, 'futexWaitAsync()');
  const ms = timeoutOf(timeout, 'futexWaitAsync()');
  return addon().waitAsync(array, index, value, ms);
}

/**
 * Wakes up to `count` threads waiting on `array[index]` with {@link futexWait} or
 * {@link futexWaitAsync}, in this or any other process that maps the same memory.
 * Change the word *before* waking (a waiter re-checks it): that is what makes the
 * pair race-free.
 *
 * Python: `Semaphore.release()` (`sem_post`).
 *
 * @param array - An `Int32Array` over a `SharedArrayBuffer`.
 * @param index - The word's index in `array`.
 * @param count - How many waiters to wake: a non-negative integer; `undefined` or `Infinity` = all.
 * @returns How many waiters were woken (0 when none was waiting).
 * @throws TypeError / RangeError on a bad array, index or count.
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { futexWake } from '@mp/native';
 * Atomics.store(words, 0, 1);
 * futexWake(words, 0, 1); // 1 when a waiter was woken
 * ```
 */
export function futexWake(array: Int32Array, index: number, count?: number): number {
  checkWord(array, index, 'futexWake()');
  const n = count ?? Infinity;
  if (typeof n !== 'number' || !(n === Infinity || (Number.isInteger(n) && n >= 0))) {
    const expectation = `Expected \`count\` of futexWake() to be a non-negative integer or Infinity, got ${describe(count)}`;
    throw typeof n === 'number' ? new RangeError(expectation) : new TypeError(expectation);
  }
  return addon().wake(array, index, n);
}
