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
import { Mutex } from '@mp/core/internal';
import { OverReleaseError } from './errors.js';
import type { Held } from './held.js';
import { HeldScope, timedOut } from './internal/held.js';
import { LOCK, LOCK_BYTES, SLEEPERS } from './internal/lock-memory.js';
import { runAsync, runSync, type Op } from './internal/ops.js';
import { registerOwnedLock } from './internal/owned-lock.js';
import { deadlineAfter, timeoutOrReject, toTimeout } from './internal/timeout.js';

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
 * process, not per async task. If its holder exits without releasing it (or
 * is killed), a waiter takes it over within about 20 ms, even a waiter blocked
 * in `acquireSync()` (CPython has no such recovery; see the README).
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
  readonly #mutex: Mutex;

  /**
   * Creates an unlocked lock in shared memory.
   *
   * @throws RangeError when shared memory is exhausted
   */
  constructor() {
    const region = adopting ?? allocateShared(LOCK_BYTES);
    adopting = undefined;
    this.#region = region;
    const mutex = new Mutex(region.int32(0, 32), LOCK, SLEEPERS);
    this.#mutex = mutex;
    registerOwnedLock(this, {
      isMine: () => mutex.isMine(),
      acquireOp: (deadline) => mutex.acquire(deadline),
      releaseAll: () => {
        this.release();
        return 1;
      },
      restoreOp: function* (): Op<void> {
        yield* mutex.acquire();
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
    const mutex = this.#mutex;
    if (mutex.tryLock()) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    if (mutex.tryAcquire()) return Promise.resolve(true);
    return runAsync(mutex.acquire(deadlineAfter(ms)));
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
    const mutex = this.#mutex;
    if (mutex.tryLock()) return true;
    if (ms === 0) return false;
    return runSync(mutex.acquire(deadlineAfter(ms)));
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
    return this.#mutex.tryLock();
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
    if (!this.#mutex.release()) {
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
    const mutex = this.#mutex;
    if (mutex.owner() === 0) return '<Lock(owner=None)>';
    return `<Lock(owner=${mutex.isMine() ? currentProcess().name : 'SomeOtherProcess'})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
