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
import { describe } from '@mp/core/internal';
import { NotOwnerError } from './errors.js';
import type { Held } from './held.js';
import type { Lock } from './lock.js';
import { runAsync, runSync, sleep, type Op } from './internal/ops.js';
import { ownedLockOf, type OwnedLock } from './internal/owned-lock.js';
import { deadlineAfter, remaining, toTimeout } from './internal/timeout.js';
import { RLock } from './rlock.js';

const TYPE = '@mp/sync.Condition';

/**
 * The waiting room, five words of shared memory, all written under the
 * condition's lock except GRANTS, which waiters also decrement when they
 * claim a grant.
 *
 * - `TICKETS`: every `wait()` takes the next ticket.
 * - `HORIZON`: the ticket count at the last `notify()`; only waiters with a
 *   ticket below it may claim a grant. A waiter that arrives after a notify
 *   therefore cannot steal the wake-up meant for one that was already waiting.
 * - `SLEEPERS`: waiters not yet granted a wake-up.
 * - `GRANTS`: wake-ups given by `notify()` and not yet claimed.
 * - `NOTIFIES`: a sequence number every `notify()` that grants anything
 *   increments; waiters sleep on it.
 *
 * Invariant (under the lock): waiters present = SLEEPERS + GRANTS, and
 * GRANTS ≤ the eligible waiters present. So `notify(n)` wakes at most n, a
 * grant is never stranded, and a waiter that times out while a grant was on
 * its way takes it (it was notified) or, if none is left, removes itself
 * from SLEEPERS.
 *
 * Why sleep on a sequence number and not on GRANTS: GRANTS goes up and down
 * (claims, new grants), so it can come back to the value a waiter read
 * before it fell asleep — the waiter would then sleep through the notify
 * that made it eligible (an ABA lost wake-up). NOTIFIES only grows, so any
 * notify between the read and the sleep makes the sleep return at once.
 */
const TICKETS = 0;
const HORIZON = 1;
const SLEEPERS = 2;
const GRANTS = 3;
const NOTIFIES = 4;
const BYTES = 20;

interface ConditionState {
  readonly lock: Lock | RLock;
  readonly region: SharedRegion;
}

/** Set by the reviver for the one constructor call that adopts a travelling condition's memory. */
let adopting: SharedRegion | undefined;

/** Friends of {@link Barrier}: the condition's algorithms, unbound from a driver. */
let ops: {
  wait(condition: Condition, deadline: number): Op<boolean>;
  waitFor(condition: Condition, predicate: () => boolean, deadline: number): Op<boolean>;
};

/** @internal For {@link Barrier}: `wait` as a composable operation. */
export function conditionWaitOp(condition: Condition, deadline: number): Op<boolean> {
  return ops.wait(condition, deadline);
}

/** @internal For {@link Barrier}: `waitFor` as a composable operation. */
export function conditionWaitForOp(condition: Condition, predicate: () => boolean, deadline: number): Op<boolean> {
  return ops.waitFor(condition, predicate, deadline);
}

/**
 * A condition variable shared by the main program and its children: holders
 * of its lock `wait` until another holder `notify`s them.
 *
 * Python: `multiprocessing.Condition`.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * // consumer
 * await cond.acquire();
 * try { await cond.waitFor(() => queue.length > 0); use(queue.shift()); } finally { cond.release(); }
 * // producer
 * cond.acquireSync();
 * try { queue.push(item); cond.notify(); } finally { cond.release(); }
 * ```
 */
export class Condition implements Shareable, Disposable {
  static {
    defineShared<ConditionState>(TYPE, (state) => {
      adopting = state.region;
      return new Condition(state.lock);
    });
    ops = {
      wait: (condition, deadline) => condition.#waitOp(deadline),
      waitFor: (condition, predicate, deadline) => condition.#waitForOp(predicate, deadline),
    };
  }

  readonly #lock: Lock | RLock;
  readonly #owned: OwnedLock;
  readonly #region: SharedRegion;
  readonly #words: Int32Array;

  /**
   * Creates a condition over `lock`.
   *
   * @param lock - a {@link Lock} or {@link RLock}
   * @defaultValue `lock`: a new {@link RLock}
   * @throws TypeError when `lock` is neither
   */
  constructor(lock?: Lock | RLock) {
    const region = adopting;
    adopting = undefined;
    this.#lock = lock ?? new RLock();
    this.#owned = ownedLockOf(this.#lock, '`lock`');
    this.#region = region ?? allocateShared(BYTES);
    this.#words = this.#region.int32(0, 5);
  }

  /**
   * Acquires the underlying lock, without blocking the event loop.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns a promise of `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * await cond.acquire();
   * ```
   */
  acquire(timeout?: number): Promise<boolean> {
    return this.#lock.acquire(timeout);
  }

  /**
   * Acquires the underlying lock, blocking the calling thread.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * cond.acquireSync();
   * ```
   */
  acquireSync(timeout?: number): boolean {
    return this.#lock.acquireSync(timeout);
  }

  /**
   * Acquires the underlying lock if it is free (or, for an RLock, already ours).
   *
   * Python: `acquire(block=False)`.
   *
   * @returns `true` if acquired
   * @example
   * ```ts
   * if (cond.tryAcquire()) try { cond.notify(); } finally { cond.release(); }
   * ```
   */
  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  /**
   * Releases the underlying lock.
   *
   * Python: `release()`.
   *
   * @throws the lock's error when it is not held ({@link OverReleaseError} or {@link NotOwnerError})
   * @example
   * ```ts
   * cond.release();
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the underlying lock for a `using` scope. Python: `with cond:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a {@link Held} whose disposal releases the lock
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first
   * @example
   * ```ts
   * using _ = cond.holdSync();
   * cond.notifyAll();
   * ```
   */
  holdSync(timeout?: number): Held {
    return this.#lock.holdSync(timeout);
  }

  /**
   * Acquires the underlying lock for an `await using` scope. Python: `with cond:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise of a {@link Held} whose disposal releases the lock
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first (the promise rejects)
   * @example
   * ```ts
   * await using _ = await cond.hold();
   * await cond.waitFor(() => done[0] === 1);
   * ```
   */
  hold(timeout?: number): Promise<Held> {
    return this.#lock.hold(timeout);
  }

  /**
   * Releases the underlying lock: `using` the condition itself releases it
   * when the scope ends (`cond.acquireSync(); using _ = cond;`).
   *
   * @throws the lock's error when it is not held
   */
  [Symbol.dispose](): void {
    this.#lock.release();
  }

  /**
   * Releases the lock (every level of an RLock), sleeps until notified or
   * `timeout` elapses, then re-acquires the lock (restoring its level) —
   * without blocking the event loop.
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise of `true` if notified, `false` if `timeout` elapsed
   * @throws {@link NotOwnerError} (rejects) when this thread or process does not hold the lock
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * await cond.acquire();
   * try { while (!ready()) await cond.wait(); } finally { cond.release(); }
   * ```
   */
  wait(timeout?: number): Promise<boolean> {
    try {
      return runAsync(this.#waitOp(deadlineAfter(toTimeout(timeout))));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Like {@link Condition.wait}, blocking the calling thread.
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns `true` if notified, `false` if `timeout` elapsed
   * @throws {@link NotOwnerError} when this thread or process does not hold the lock
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * cond.acquireSync();
   * try { while (!ready()) cond.waitSync(); } finally { cond.release(); }
   * ```
   */
  waitSync(timeout?: number): boolean {
    return runSync(this.#waitOp(deadlineAfter(toTimeout(timeout))));
  }

  /**
   * Waits until `predicate()` is truthy, calling it first and after each
   * wake-up, with the lock held each time; without blocking the event loop.
   *
   * Python: `wait_for(predicate, timeout=None)`.
   *
   * @param predicate - a synchronous test of the shared state
   * @param timeout - milliseconds for the whole wait; `undefined` waits without limit
   * @returns a promise of the predicate's last result (`false` after a timeout)
   * @throws {@link NotOwnerError} (rejects) when the predicate is false and the lock is not held
   * @throws TypeError when `predicate` is not a function or `timeout` not a number
   * @example
   * ```ts
   * await cond.waitFor(() => Atomics.load(state, 0) === 1, 5_000);
   * ```
   */
  waitFor(predicate: () => boolean, timeout?: number): Promise<boolean> {
    try {
      checkPredicate(predicate);
      return runAsync(this.#waitForOp(predicate, deadlineAfter(toTimeout(timeout))));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Like {@link Condition.waitFor}, blocking the calling thread.
   *
   * Python: `wait_for(predicate, timeout=None)`.
   *
   * @param predicate - a synchronous test of the shared state
   * @param timeout - milliseconds for the whole wait; `undefined` waits without limit
   * @returns the predicate's last result (`false` after a timeout)
   * @throws {@link NotOwnerError} when the predicate is false and the lock is not held
   * @throws TypeError when `predicate` is not a function or `timeout` not a number
   * @example
   * ```ts
   * cond.waitForSync(() => Atomics.load(state, 0) === 1);
   * ```
   */
  waitForSync(predicate: () => boolean, timeout?: number): boolean {
    checkPredicate(predicate);
    return runSync(this.#waitForOp(predicate, deadlineAfter(toTimeout(timeout))));
  }

  /**
   * Wakes at most `n` of the threads and processes waiting on this condition
   * (only those already waiting when it is called). The caller must hold the lock.
   *
   * Python: `notify(n=1)`.
   *
   * @param n - how many waiters to wake at most, a non-negative integer or `Infinity`
   * @defaultValue `n`: 1
   * @throws {@link NotOwnerError} when this thread or process does not hold the lock
   * @throws TypeError / RangeError when `n` is not a non-negative integer
   * @example
   * ```ts
   * cond.acquireSync();
   * try { Atomics.store(state, 0, 1); cond.notify(); } finally { cond.release(); }
   * ```
   */
  notify(n = 1): void {
    if (typeof n !== 'number') throw new TypeError(`Expected \`n\` to be a non-negative integer, got ${describe(n)}`);
    if (n < 0 || !(Number.isInteger(n) || n === Infinity)) {
      throw new RangeError(`Expected \`n\` to be a non-negative integer or Infinity, got ${describe(n)}`);
    }
    if (!this.#owned.isMine()) {
      throw new NotOwnerError(
        'cannot notify on un-acquired lock: acquire the condition (cond.acquireSync(), await cond.acquire()) before notify().',
      );
    }
    const words = this.#words;
    const count = Math.min(n, Atomics.load(words, SLEEPERS));
    if (count <= 0) return;
    Atomics.sub(words, SLEEPERS, count);
    // Order matters: HORIZON and GRANTS before NOTIFIES. A waiter reads
    // NOTIFIES first, so if it sees the old sequence number it will not sleep
    // (the number changed), and if it sees the new one it also sees the new
    // horizon and grants.
    Atomics.store(words, HORIZON, Atomics.load(words, TICKETS));
    Atomics.add(words, GRANTS, count);
    Atomics.add(words, NOTIFIES, 1);
    // Wake them all: a sleeper that wakes may be one that arrived after an
    // earlier notify and may not claim; waking only `count` could wake just
    // those and leave an eligible waiter asleep on a pending grant.
    notify(words, NOTIFIES);
  }

  /**
   * Wakes every thread and process waiting on this condition. The caller must
   * hold the lock.
   *
   * Python: `notify_all()`.
   *
   * @throws {@link NotOwnerError} when this thread or process does not hold the lock
   * @example
   * ```ts
   * cond.acquireSync();
   * try { cond.notifyAll(); } finally { cond.release(); }
   * ```
   */
  notifyAll(): void {
    this.notify(Infinity);
  }

  /** @internal The shared-object protocol: travels as its lock and its region. */
  [share](_context: ShareContext): SharedState {
    return { type: TYPE, module: import.meta.url, state: { lock: this.#lock, region: this.#region } satisfies ConditionState };
  }

  /**
   * Python's repr: `<Condition(<RLock(None, 0)>, 0)>` (the lock, then the waiters).
   * `String(x)` and `util.inspect` give the same.
   */
  toString(): string {
    const waiters = Atomics.load(this.#words, SLEEPERS) + Atomics.load(this.#words, GRANTS);
    return `<Condition(${String(this.#lock)}, ${waiters})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  *#waitOp(deadline: number): Op<boolean> {
    const owned = this.#owned;
    if (!owned.isMine()) {
      throw new NotOwnerError(
        'must acquire() condition before using wait(): acquire it (cond.acquireSync(), await cond.acquire()) first.',
      );
    }
    const words = this.#words;
    // Registered under the lock, before releasing it: a notify() by the next
    // holder counts us, so the wake-up cannot fall between release and sleep.
    const ticket = Atomics.add(words, TICKETS, 1);
    Atomics.add(words, SLEEPERS, 1);
    const saved = owned.releaseAll();
    let notified = false;
    try {
      for (;;) {
        const sequence = Atomics.load(words, NOTIFIES);
        if (claim(ticket, words)) {
          notified = true;
          break;
        }
        const left = remaining(deadline);
        if (left === 0) break;
        // Sleeps only while no notify() happened since our read of NOTIFIES.
        yield sleep(words, NOTIFIES, sequence, left);
      }
    } finally {
      yield* owned.restoreOp(saved);
      // Timed out: decide under the lock. A grant we may claim means a
      // notify() counted us meanwhile — take it and report the notification;
      // otherwise leave SLEEPERS, so no later notify() is spent on us.
      if (!notified) {
        notified = claim(ticket, words);
        if (!notified) Atomics.sub(words, SLEEPERS, 1);
      }
    }
    return notified;
  }

  *#waitForOp(predicate: () => boolean, deadline: number): Op<boolean> {
    let result = predicate();
    while (!result) {
      if (remaining(deadline) === 0) break;
      yield* this.#waitOp(deadline);
      result = predicate();
    }
    return result;
  }
}

/** Whether the waiter holding `ticket` came before the last notify (ticket arithmetic wraps). */
function eligible(ticket: number, words: Int32Array): boolean {
  return ((ticket - Atomics.load(words, HORIZON)) | 0) < 0;
}

function claim(ticket: number, words: Int32Array): boolean {
  for (;;) {
    const grants = Atomics.load(words, GRANTS);
    if (grants <= 0 || !eligible(ticket, words)) return false;
    if (Atomics.compareExchange(words, GRANTS, grants, grants - 1) === grants) return true;
  }
}

function checkPredicate(predicate: unknown): void {
  if (typeof predicate !== 'function') {
    throw new TypeError(`Expected \`predicate\` to be a function returning a boolean, got ${describe(predicate)}`);
  }
}
