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
import { describe, SPIN_LIMIT } from '@mp/core/internal';
import { OverReleaseError } from './errors.js';
import type { Held } from './held.js';
import { HeldScope, timedOut } from './internal/held.js';
import { runAsync, runSync, sleep, type Op } from './internal/ops.js';
import { deadlineAfter, remaining, timeoutOrReject, toTimeout } from './internal/timeout.js';

const TYPE = '@mp/sync.Semaphore';
/** The type name of {@link BoundedSemaphore}, whose reviver lives in its own module. */
export const BOUNDED_TYPE = '@mp/sync.BoundedSemaphore';

/**
 * Word 0 is the counter itself, and the word waiters sleep on (while it is 0);
 * word 1 counts waiters, so that `release()` skips the notify syscall when
 * nobody waits.
 */
const VALUE = 0;
const WAITERS = 1;
const BYTES = 8;
/** Python's `SEM_VALUE_MAX` on Linux, and the largest value a 32-bit word holds. */
export const SEM_VALUE_MAX = 0x7fff_ffff;

interface SemaphoreState {
  readonly region: SharedRegion;
  readonly bound: number;
}

/** Set by a reviver for the one constructor call that adopts a travelling semaphore's memory. */
let adopting: SharedRegion | undefined;

/** Lets {@link BoundedSemaphore} (another module) set its bound and adopt memory. */
let setBound: (semaphore: Semaphore, bound: number) => void;

/** @internal For {@link BoundedSemaphore}: makes `semaphore` bounded by `bound`. */
export function bound(semaphore: Semaphore, limit: number): void {
  setBound(semaphore, limit);
}

/** @internal For the {@link BoundedSemaphore} reviver: the next constructor call adopts `region`. */
export function adoptNext(region: SharedRegion): void {
  adopting = region;
}

/**
 * A counter of permits shared by the main program and its children:
 * `acquire` takes one (waiting while there are none), `release` gives back.
 * `new Semaphore(3)` lets three holders in at a time.
 *
 * Python: `multiprocessing.Semaphore`.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);
 * slots.acquireSync();
 * try { work(); } finally { slots.release(); }
 * ```
 */
export class Semaphore implements Shareable, Disposable {
  static {
    defineShared<SemaphoreState>(TYPE, (state) => {
      adopting = state.region;
      return new Semaphore();
    });
    setBound = (semaphore, limit) => {
      semaphore.#bound = limit;
      semaphore.#bounded = true;
    };
  }

  readonly #region: SharedRegion;
  readonly #words: Int32Array;
  #bound = SEM_VALUE_MAX;
  #bounded = false;

  /**
   * Creates a semaphore holding `value` permits.
   *
   * @param value - the initial number of permits, an integer from 0 to 2³¹−1
   * @defaultValue `value`: 1
   * @throws TypeError when `value` is not a number
   * @throws RangeError when `value` is negative, not an integer or too large
   */
  constructor(value = 1) {
    const region = adopting;
    adopting = undefined;
    if (region) {
      this.#region = region;
      this.#words = region.int32(0, 2);
      return;
    }
    checkInitialValue(value);
    this.#region = allocateShared(BYTES);
    this.#words = this.#region.int32(0, 2);
    Atomics.store(this.#words, VALUE, value);
  }

  /**
   * Takes a permit, waiting without blocking the event loop while there is none.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns a promise of `true` once a permit is taken, `false` if `timeout` elapsed first
   * @throws TypeError (rejects) when `timeout` is not a number
   * @example
   * ```ts
   * if (await slots.acquire(500)) try { work(); } finally { slots.release(); }
   * ```
   */
  acquire(timeout?: number): Promise<boolean> {
    const ms = timeoutOrReject(timeout);
    if (typeof ms !== 'number') return ms;
    if (this.#tryAcquire() || (ms !== 0 && this.#spin())) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    return runAsync(this.#acquireOp(deadlineAfter(ms)));
  }

  /**
   * Takes a permit, blocking the calling thread while there is none.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns `true` once a permit is taken, `false` if `timeout` elapsed first
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * slots.acquireSync();
   * try { work(); } finally { slots.release(); }
   * ```
   */
  acquireSync(timeout?: number): boolean {
    const ms = timeout === undefined ? Infinity : toTimeout(timeout);
    if (this.#tryAcquire() || (ms !== 0 && this.#spin())) return true;
    if (ms === 0) return false;
    return runSync(this.#acquireOp(deadlineAfter(ms)));
  }

  /**
   * Takes a permit if one is available, without waiting.
   *
   * Python: `acquire(block=False)`.
   *
   * @returns `true` if a permit was taken
   * @example
   * ```ts
   * if (slots.tryAcquire()) try { work(); } finally { slots.release(); }
   * ```
   */
  tryAcquire(): boolean {
    return this.#tryAcquire();
  }

  /**
   * Gives back `n` permits and wakes up to `n` waiters. Any thread or process
   * may release.
   *
   * Python: `release(n=1)` (threading's; multiprocessing's takes no `n`).
   *
   * @param n - how many permits, a positive integer
   * @defaultValue `n`: 1
   * @throws TypeError when `n` is not a number
   * @throws RangeError when `n` is not a positive integer, or the count would pass 2³¹−1
   * @throws {@link OverReleaseError} for a {@link BoundedSemaphore} released above its initial value
   * @example
   * ```ts
   * slots.release();
   * ```
   */
  release(n = 1): void {
    if (typeof n !== 'number') throw new TypeError(`Expected \`n\` to be a positive integer, got ${describe(n)}`);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be one or more: expected a positive integer, got ${describe(n)}`);
    const words = this.#words;
    let value = Atomics.load(words, VALUE);
    for (;;) {
      if (value + n > this.#bound) throw this.#overRelease(value, n);
      const seen = Atomics.compareExchange(words, VALUE, value, value + n);
      if (seen === value) break;
      value = seen;
    }
    // The waiter counts itself before it reads VALUE; we changed VALUE before
    // reading the count. With sequentially consistent atomics either it sees
    // our permits or we see it, so skipping the notify at 0 loses no wake-up.
    if (Atomics.load(words, WAITERS) > 0) notify(words, VALUE, n);
  }

  /**
   * The number of permits available now (a snapshot).
   *
   * Python: `get_value()`.
   *
   * @returns the current count
   * @example
   * ```ts
   * console.log(slots.getValue());
   * ```
   */
  getValue(): number {
    return Atomics.load(this.#words, VALUE);
  }

  /**
   * Takes a permit for a `using` scope, blocking the calling thread; it is
   * given back when the scope ends. Python: `with semaphore:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a {@link Held} whose disposal releases the permit
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first
   * @example
   * ```ts
   * using _ = slots.holdSync();
   * ```
   */
  holdSync(timeout?: number): Held {
    if (!this.acquireSync(timeout)) throw timedOut(this.constructor.name, timeout);
    return new HeldScope(this);
  }

  /**
   * Takes a permit for an `await using` scope, without blocking the event
   * loop; it is given back when the scope ends. Python: `with semaphore:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise of a {@link Held} whose disposal releases the permit
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first (the promise rejects)
   * @example
   * ```ts
   * await using _ = await slots.hold();
   * ```
   */
  async hold(timeout?: number): Promise<Held> {
    if (!(await this.acquire(timeout))) throw timedOut(this.constructor.name, timeout);
    return new HeldScope(this);
  }

  /**
   * Releases one permit: `using` the semaphore itself gives a permit back when
   * the scope ends (`slots.acquireSync(); using _ = slots;`).
   *
   * @throws {@link OverReleaseError} for a {@link BoundedSemaphore} already at its initial value
   */
  [Symbol.dispose](): void {
    this.release();
  }

  /** @internal The shared-object protocol: travels as its region (and its bound). */
  [share](_context: ShareContext): SharedState {
    return {
      type: this.#bounded ? BOUNDED_TYPE : TYPE,
      module: import.meta.url,
      state: { region: this.#region, bound: this.#bound } satisfies SemaphoreState,
    };
  }

  /** Python's repr: `<Semaphore(value=3)>`, `<BoundedSemaphore(value=2, maxvalue=3)>`. `String(x)` and `util.inspect` give the same. */
  toString(): string {
    const value = this.getValue();
    return !this.#bounded
      ? `<Semaphore(value=${value})>`
      : `<BoundedSemaphore(value=${value}, maxvalue=${this.#bound})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  #tryAcquire(): boolean {
    const words = this.#words;
    let value = Atomics.load(words, VALUE);
    while (value > 0) {
      const seen = Atomics.compareExchange(words, VALUE, value, value - 1);
      if (seen === value) return true;
      value = seen;
    }
    return false;
  }

  /** The brief spin before sleeping: a permit is often given back on the other core. */
  #spin(): boolean {
    const words = this.#words;
    for (let i = 0; i < SPIN_LIMIT; i++) {
      if (Atomics.load(words, VALUE) > 0 && this.#tryAcquire()) return true;
    }
    return false;
  }

  *#acquireOp(deadline: number): Op<boolean> {
    const words = this.#words;
    Atomics.add(words, WAITERS, 1);
    try {
      for (;;) {
        // Try before every deadline check: a waiter woken by a release at its
        // deadline takes the permit rather than leaving it to nobody.
        if (this.#tryAcquire()) return true;
        const left = remaining(deadline);
        if (left === 0) return false;
        // Sleeps only while the count is still 0: a release between our try
        // and this wait makes the wait return at once.
        yield sleep(words, VALUE, 0, left);
      }
    } finally {
      Atomics.sub(words, WAITERS, 1);
    }
  }

  #overRelease(value: number, n: number): Error {
    if (!this.#bounded) {
      return new RangeError(`Cannot release ${n} permit(s): the Semaphore holds ${value} and cannot count past ${SEM_VALUE_MAX}`);
    }
    return new OverReleaseError(
      `semaphore or lock released too many times: this BoundedSemaphore holds ${value} of at most ${this.#bound} ` +
        `permits, so releasing ${n} would exceed its initial value. Release once per successful acquire.`,
    );
  }
}

function checkInitialValue(value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`Expected \`value\` to be a non-negative integer, got ${describe(value)}`);
  if (value < 0) throw new RangeError(`semaphore initial value must be >= 0, got ${describe(value)}`);
  if (!Number.isInteger(value) || value > SEM_VALUE_MAX) {
    throw new RangeError(`Expected \`value\` to be an integer from 0 to ${SEM_VALUE_MAX}, got ${describe(value)}`);
  }
}
