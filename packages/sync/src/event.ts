import { inspect } from 'node:util';
import {
  allocateShared,
  defineShared,
  notify,
  share,
  type ShareContext,
  type Shareable,
  type SharedRegion,
  type SharedState,
} from '@mp/core';
import { SPIN_LIMIT } from '@mp/core/internal';
import { runAsync, runSync, sleep, type Op } from './internal/ops.js';
import { deadlineAfter, remaining, timeoutOrReject, toTimeout } from './internal/timeout.js';

const TYPE = '@mp/sync.Event';

/**
 * Word 0 holds the flag (bit 0) and a sequence number (bits 1–31) that every
 * `set()` increments, changed together by one CAS. Waiters sleep on this word
 * and return once the flag is set or the sequence number moved, so a `set()`
 * followed at once by a `clear()` still ends every wait that began before it
 * (each returns `true`, as Python's `threading.Event` does); sleeping on the
 * flag alone would let a waiter that wakes late see 0 again and sleep on.
 *
 * One word, not two: with the flag and the number in separate words, a
 * `set()` is two steps, and a waiter that saw the first step, returned and
 * cleared the flag could start its next wait between the two and take the
 * second step for a new `set()` — one set() ending two waits.
 *
 * Word 1 counts waiters, so that `set()` skips the notify when nobody waits.
 */
const STATE = 0;
const WAITERS = 1;
const FLAG = 1;
const BYTES = 8;

interface EventState {
  readonly region: SharedRegion;
}

/** Set by the reviver for the one constructor call that adopts a travelling event's memory. */
let adopting: SharedRegion | undefined;

/**
 * A flag shared by the main program and its children: `wait` blocks until
 * some thread or process calls `set`.
 *
 * Python: `multiprocessing.Event`.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * new Process({ target: worker, args: [ready] }).start();
 * await ready.wait(); // until the worker calls ready.set()
 * ```
 */
export class Event implements Shareable {
  static {
    defineShared<EventState>(TYPE, (state) => {
      adopting = state.region;
      return new Event();
    });
  }

  readonly #region: SharedRegion;
  readonly #words: Int32Array;

  /**
   * Creates an event whose flag is not set.
   *
   * @throws RangeError when shared memory is exhausted
   */
  constructor() {
    this.#region = adopting ?? allocateShared(BYTES);
    adopting = undefined;
    this.#words = this.#region.int32(0, 2);
  }

  /**
   * Whether the flag is set.
   *
   * Python: `is_set()`.
   *
   * @returns the flag
   * @example
   * ```ts
   * if (!ready.isSet()) await ready.wait();
   * ```
   */
  isSet(): boolean {
    return (Atomics.load(this.#words, STATE) & FLAG) !== 0;
  }

  /**
   * Sets the flag and wakes every waiter, in every thread and process.
   *
   * Python: `set()`.
   *
   * @example
   * ```ts
   * ready.set();
   * ```
   */
  set(): void {
    const words = this.#words;
    // Next sequence number and the flag, in one step: (seq + 1) << 1 | 1.
    let state = Atomics.load(words, STATE);
    for (;;) {
      const seen = Atomics.compareExchange(words, STATE, state, ((state + 2) | FLAG) | 0);
      if (seen === state) break;
      state = seen;
    }
    // A waiter counts itself before it reads the word; we changed the word
    // before reading the count. Sequentially consistent atomics: either it
    // sees the change (and does not sleep) or we see it (and notify).
    if (Atomics.load(words, WAITERS) > 0) notify(words, STATE);
  }

  /**
   * Clears the flag: later waits block until the next `set()`.
   *
   * Python: `clear()`.
   *
   * @example
   * ```ts
   * ready.clear();
   * ```
   */
  clear(): void {
    Atomics.and(this.#words, STATE, ~FLAG);
  }

  /**
   * Waits until the flag is set, without blocking the event loop.
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns a promise of `true` if the flag was set, or `set()` was called
   *   during the wait (even if cleared since); `false` once `timeout` elapsed
   * @throws TypeError (rejects) when `timeout` is not a number
   * @example
   * ```ts
   * if (!(await ready.wait(2_000))) console.log('timed out');
   * ```
   */
  wait(timeout?: number): Promise<boolean> {
    const ms = timeoutOrReject(timeout);
    if (typeof ms !== 'number') return ms;
    if (this.isSet()) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    return runAsync(this.#waitOp(deadlineAfter(ms), 0));
  }

  /**
   * Waits until the flag is set, blocking the calling thread.
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns `true` if the flag was set, or `set()` was called during the wait
   *   (even if cleared since); `false` once `timeout` elapsed
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * ready.waitSync();
   * ```
   */
  waitSync(timeout?: number): boolean {
    const ms = timeout === undefined ? Infinity : toTimeout(timeout);
    if (this.isSet()) return true;
    if (ms === 0) return false;
    return runSync(this.#waitOp(deadlineAfter(ms), SPIN_LIMIT));
  }

  /** @internal The shared-object protocol: travels as its region. */
  [share](_context: ShareContext): SharedState {
    return { type: TYPE, module: import.meta.url, state: { region: this.#region } satisfies EventState };
  }

  /** `<Event(set)>` or `<Event(unset)>`. `String(x)` and `util.inspect` give the same. */
  toString(): string {
    return `<Event(${this.isSet() ? 'set' : 'unset'})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  *#waitOp(deadline: number, spin: number): Op<boolean> {
    const words = this.#words;
    // The wait starts here: any set() from now on must end it.
    const start = Atomics.load(words, STATE);
    if ((start & FLAG) !== 0) return true;
    // A set() since `start` either set the flag or, if cleared since, moved
    // the sequence number: in both cases the word differs from `start`
    // (clear() of a clear flag does not change it).
    for (let i = 0; i < spin; i++) {
      if (Atomics.load(words, STATE) !== start) return true;
    }
    Atomics.add(words, WAITERS, 1);
    try {
      for (;;) {
        const state = Atomics.load(words, STATE);
        if (state !== start) return true;
        const left = remaining(deadline);
        if (left === 0) return false;
        yield sleep(words, STATE, state, left);
      }
    } finally {
      Atomics.sub(words, WAITERS, 1);
    }
  }
}
