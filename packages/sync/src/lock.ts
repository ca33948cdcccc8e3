import { inspect } from 'node:util';
import {
  allocateShared,
  currentProcess,
  defineShared,
  share,
  type ShareContext,
  type Shareable,
  type SharedRegion,
  type SharedState,
} from '@mp/core';
import { OverReleaseError } from './errors.js';
import type { Held } from './held.js';
import { HeldScope, timedOut } from './internal/held.js';
import { MUTEX_BYTES, OWNER, STATE, UNLOCKED, lockOp, sleepLockOp, spinLock, tryLock, unlock } from './internal/mutex.js';
import { runAsync, runSync, type Op } from './internal/ops.js';
import { registerOwnedLock } from './internal/owned-lock.js';
import { deadlineAfter, timeoutOrReject, toTimeout } from './internal/timeout.js';
import { me } from './internal/token.js';

const TYPE = '@mp/sync.Lock';

interface LockState {
  readonly region: SharedRegion;
}

/** Set by the reviver for the one constructor call that adopts a travelling lock's memory. */
let adopting: SharedRegion | undefined;

/**
 * A mutual-exclusion lock shared by the main program and its children: at most
 * one holder at a time, anywhere. Not re-entrant. Any thread or process may
 * release it, as in Python.
 *
 * Passed to a child (in `args`, a queue item, a pipe message…), it arrives as a
 * `Lock` over the same memory. Ownership is per isolate — per thread or
 * process, not per async task. If its holder exits without releasing it, a
 * waiter takes it over after about 100 ms (CPython has no such recovery; see
 * the README).
 *
 * Python: `multiprocessing.Lock`.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * lock.acquireSync();
 * try { console.log('only one at a time'); } finally { lock.release(); }
 * // or: using _ = lock.holdSync();
 * ```
 */
export class Lock implements Shareable, Disposable {
  static {
    defineShared<LockState>(TYPE, (state) => {
      adopting = state.region;
      return new Lock();
    });
  }

  readonly #region: SharedRegion;
  readonly #words: Int32Array;

  /**
   * Creates an unlocked lock in shared memory.
   *
   * @throws RangeError when shared memory is exhausted
   */
  constructor() {
    const region = adopting ?? allocateShared(MUTEX_BYTES);
    adopting = undefined;
    this.#region = region;
    this.#words = region.int32(0, 32);
    const words = this.#words;
    registerOwnedLock(this, {
      isMine: () => this.#isMine(),
      acquireOp: (deadline) => this.#acquireOp(deadline),
      releaseAll: () => {
        this.release();
        return 1;
      },
      restoreOp: function* (): Op<void> {
        if (!tryLock(words)) yield* lockOp(words, Infinity);
        words[OWNER] = me();
      },
    });
  }

  /**
   * Waits until the lock is free and takes it, without blocking the event loop.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns a promise of `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError (rejects) when `timeout` is not a number
   * @example
   * ```ts
   * if (await lock.acquire(1_000)) try { work(); } finally { lock.release(); }
   * ```
   */
  acquire(timeout?: number): Promise<boolean> {
    const ms = timeoutOrReject(timeout);
    if (typeof ms !== 'number') return ms;
    if (this.#tryAcquire()) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    if (spinLock(this.#words)) return Promise.resolve(this.#own());
    return runAsync(this.#sleepOp(deadlineAfter(ms)));
  }

  /**
   * Waits until the lock is free and takes it, blocking the calling thread
   * (use it in a child, or where blocking is acceptable).
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * lock.acquireSync();
   * try { work(); } finally { lock.release(); }
   * ```
   */
  acquireSync(timeout?: number): boolean {
    const ms = timeout === undefined ? Infinity : toTimeout(timeout);
    if (this.#tryAcquire()) return true;
    if (ms === 0) return false;
    if (spinLock(this.#words)) return this.#own();
    return runSync(this.#sleepOp(deadlineAfter(ms)));
  }

  /**
   * Takes the lock if it is free, without waiting.
   *
   * Python: `acquire(block=False)`.
   *
   * @returns `true` if acquired
   * @example
   * ```ts
   * if (lock.tryAcquire()) try { work(); } finally { lock.release(); }
   * ```
   */
  tryAcquire(): boolean {
    return this.#tryAcquire();
  }

  /**
   * Releases the lock. Any thread or process may release it, not only the one
   * that acquired it (as in Python); one sleeping waiter is woken.
   *
   * Python: `release()`.
   *
   * @throws {@link OverReleaseError} when the lock is not locked
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(): void {
    if (!unlock(this.#words)) {
      throw new OverReleaseError(
        'semaphore or lock released too many times: this Lock is not locked. Release a lock once per successful acquire.',
      );
    }
  }

  /**
   * Acquires the lock for a `using` scope, blocking the calling thread; the
   * lock is released when the scope ends. Python: `with lock:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a {@link Held} whose disposal releases the lock
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first
   * @example
   * ```ts
   * using _ = lock.holdSync();
   * ```
   */
  holdSync(timeout?: number): Held {
    if (!this.acquireSync(timeout)) throw timedOut('Lock', timeout);
    return new HeldScope(this);
  }

  /**
   * Acquires the lock for an `await using` scope, without blocking the event
   * loop; the lock is released when the scope ends. Python: `with lock:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise of a {@link Held} whose disposal releases the lock
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first (the promise rejects)
   * @example
   * ```ts
   * await using _ = await lock.hold();
   * ```
   */
  async hold(timeout?: number): Promise<Held> {
    if (!(await this.acquire(timeout))) throw timedOut('Lock', timeout);
    return new HeldScope(this);
  }

  /**
   * Releases the lock: `using` the lock itself releases it when the scope
   * ends, for a lock acquired just before (`lock.acquireSync(); using _ = lock;`).
   *
   * @throws {@link OverReleaseError} when the lock is not locked
   */
  [Symbol.dispose](): void {
    this.release();
  }

  /** @internal The shared-object protocol: travels as its region. */
  [share](_context: ShareContext): SharedState {
    return { type: TYPE, module: import.meta.url, state: { region: this.#region } satisfies LockState };
  }

  /** Python's repr: `<Lock(owner=None)>`, `<Lock(owner=MainProcess)>`, `<Lock(owner=SomeOtherProcess)>`. `String(x)` and `util.inspect` give the same. */
  toString(): string {
    if (Atomics.load(this.#words, STATE) === UNLOCKED) return '<Lock(owner=None)>';
    return `<Lock(owner=${this.#isMine() ? currentProcess().name : 'SomeOtherProcess'})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  #tryAcquire(): boolean {
    return tryLock(this.#words) && this.#own();
  }

  /** Records this isolate as the owner of the lock it just took. */
  #own(): true {
    this.#words[OWNER] = me();
    return true;
  }

  *#sleepOp(deadline: number): Op<boolean> {
    return (yield* sleepLockOp(this.#words, deadline)) && this.#own();
  }

  *#acquireOp(deadline: number): Op<boolean> {
    return (tryLock(this.#words) || (yield* lockOp(this.#words, deadline))) && this.#own();
  }

  #isMine(): boolean {
    // Only this isolate writes its own token, so a plain read of it is exact.
    return Atomics.load(this.#words, STATE) !== UNLOCKED && this.#words[OWNER] === me();
  }
}
