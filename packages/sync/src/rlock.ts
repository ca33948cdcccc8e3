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
import { NotOwnerError } from './errors.js';
import type { Held } from './held.js';
import { HeldScope, timedOut } from './internal/held.js';
import { LEVEL, LOCK, LOCK_BYTES, SLEEPERS } from './internal/lock-memory.js';
import { runAsync, runSync, type Op } from './internal/ops.js';
import { registerOwnedLock } from './internal/owned-lock.js';
import { deadlineAfter, timeoutOrReject, toTimeout } from './internal/timeout.js';

const TYPE = '@mp/sync.RLock';
/** The recursion level (see `internal/lock-memory.ts`). */
const COUNT = LEVEL;

interface RLockState {
  readonly region: SharedRegion;
}

/** Set by the reviver for the one constructor call that adopts a travelling lock's memory. */
let adopting: SharedRegion | undefined;

/**
 * A re-entrant lock shared by the main program and its children: the thread
 * or process that holds it may acquire it again, and must release it as many
 * times. Only the holder may release it.
 *
 * Ownership is per isolate — per thread or process, not per async task: two
 * async tasks of one thread both "own" an RLock that either acquired. Use a
 * {@link Lock} to exclude async tasks of the same thread from each other.
 *
 * Python: `multiprocessing.RLock`.
 *
 * @example
 * ```ts
 * const rlock = new RLock();
 * rlock.acquireSync();
 * rlock.acquireSync(); // no deadlock: same owner
 * rlock.release();
 * rlock.release();
 * ```
 */
export class RLock implements Shareable, Disposable {
  static {
    defineShared<RLockState>(TYPE, (state) => {
      adopting = state.region;
      return new RLock();
    });
  }

  readonly #region: SharedRegion;
  readonly #words: Int32Array;
  readonly #mutex: Mutex;

  /**
   * Creates an unlocked re-entrant lock in shared memory.
   *
   * @throws RangeError when shared memory is exhausted
   */
  constructor() {
    const region = adopting ?? allocateShared(LOCK_BYTES);
    adopting = undefined;
    this.#region = region;
    this.#words = region.int32(0, 32);
    const words = this.#words;
    const mutex = new Mutex(words, LOCK, SLEEPERS);
    this.#mutex = mutex;
    registerOwnedLock(this, {
      isMine: () => mutex.isMine(),
      acquireOp: (deadline) => this.#acquireOp(deadline),
      releaseAll: () => {
        if (!mutex.isMine()) throw notOwner();
        const level = words[COUNT]!;
        words[COUNT] = 0;
        mutex.release();
        return level;
      },
      restoreOp: function* (level: number): Op<void> {
        yield* mutex.acquire();
        words[COUNT] = level;
      },
    });
  }

  /**
   * Takes the lock (again, if this thread or process holds it), without
   * blocking the event loop.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns a promise of `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError (rejects) when `timeout` is not a number
   * @example
   * ```ts
   * if (await rlock.acquire()) try { work(); } finally { rlock.release(); }
   * ```
   */
  acquire(timeout?: number): Promise<boolean> {
    const ms = timeoutOrReject(timeout);
    if (typeof ms !== 'number') return ms;
    if (this.#tryAcquire()) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    return runAsync(this.#sleepOp(deadlineAfter(ms)));
  }

  /**
   * Takes the lock (again, if this thread or process holds it), blocking the
   * calling thread while another holds it.
   *
   * Python: `acquire(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns `true` once acquired, `false` if `timeout` elapsed first
   * @throws TypeError when `timeout` is not a number
   * @example
   * ```ts
   * rlock.acquireSync();
   * try { work(); } finally { rlock.release(); }
   * ```
   */
  acquireSync(timeout?: number): boolean {
    const ms = timeout === undefined ? Infinity : toTimeout(timeout);
    if (this.#tryAcquire()) return true;
    if (ms === 0) return false;
    return runSync(this.#sleepOp(deadlineAfter(ms)));
  }

  /**
   * Takes the lock if it is free or already held by this thread or process.
   *
   * Python: `acquire(block=False)`.
   *
   * @returns `true` if acquired
   * @example
   * ```ts
   * if (rlock.tryAcquire()) try { work(); } finally { rlock.release(); }
   * ```
   */
  tryAcquire(): boolean {
    return this.#tryAcquire();
  }

  /**
   * Releases one level; the lock is free once every acquire has been released.
   *
   * Python: `release()`.
   *
   * @throws {@link NotOwnerError} when this thread or process does not hold the lock
   * @example
   * ```ts
   * rlock.release();
   * ```
   */
  release(): void {
    const words = this.#words;
    if (!this.#mutex.isMine()) throw notOwner();
    // COUNT is the owner's alone: plain reads and writes, ordered for the next
    // owner by the atomic operations on the mutex's lock word.
    const level = words[COUNT]! - 1;
    words[COUNT] = level;
    if (level === 0) this.#mutex.release();
  }

  /**
   * Acquires the lock for a `using` scope, blocking the calling thread; one
   * level is released when the scope ends. Python: `with rlock:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a {@link Held} whose disposal releases one level
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first
   * @example
   * ```ts
   * using _ = rlock.holdSync();
   * ```
   */
  holdSync(timeout?: number): Held {
    if (!this.acquireSync(timeout)) throw timedOut('RLock', timeout);
    return new HeldScope(this);
  }

  /**
   * Acquires the lock for an `await using` scope, without blocking the event
   * loop; one level is released when the scope ends. Python: `with rlock:`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise of a {@link Held} whose disposal releases one level
   * @throws TimeoutError (from `@mp/core`) when `timeout` elapsed first (the promise rejects)
   * @example
   * ```ts
   * await using _ = await rlock.hold();
   * ```
   */
  async hold(timeout?: number): Promise<Held> {
    if (!(await this.acquire(timeout))) throw timedOut('RLock', timeout);
    return new HeldScope(this);
  }

  /**
   * Releases one level: `using` the lock itself releases it when the scope
   * ends, for a lock acquired just before (`rlock.acquireSync(); using _ = rlock;`).
   *
   * @throws {@link NotOwnerError} when this thread or process does not hold the lock
   */
  [Symbol.dispose](): void {
    this.release();
  }

  /** @internal The shared-object protocol: travels as its region. */
  [share](_context: ShareContext): SharedState {
    return { type: TYPE, module: import.meta.url, state: { region: this.#region } satisfies RLockState };
  }

  /** Python's repr: `<RLock(None, 0)>`, `<RLock(MainProcess, 2)>`, `<RLock(SomeOtherProcess, nonzero)>`. `String(x)` and `util.inspect` give the same. */
  toString(): string {
    if (this.#mutex.owner() === 0) return '<RLock(None, 0)>';
    if (this.#mutex.isMine()) return `<RLock(${currentProcess().name}, ${this.#words[COUNT]})>`;
    return '<RLock(SomeOtherProcess, nonzero)>';
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  #tryAcquire(): boolean {
    const words = this.#words;
    // Only our own CAS puts our token in the lock word, so reading it back
    // means we hold the lock: re-entry needs no read-modify-write.
    if (this.#mutex.isMine()) {
      words[COUNT] = words[COUNT]! + 1;
      return true;
    }
    return this.#mutex.tryLock() && this.#own();
  }

  /** Records this isolate as the owner, at level 1, of the lock it just took. */
  #own(): true {
    this.#words[COUNT] = 1;
    return true;
  }

  *#sleepOp(deadline: number): Op<boolean> {
    return (yield* this.#mutex.acquire(deadline)) && this.#own();
  }

  *#acquireOp(deadline: number): Op<boolean> {
    return this.#tryAcquire() || ((yield* this.#mutex.acquire(deadline)) && this.#own());
  }
}

function notOwner(): NotOwnerError {
  return new NotOwnerError(
    'attempt to release recursive lock not owned by thread: this thread or process does not hold the RLock. ' +
      'Only the holder may release an RLock (use a Lock if another thread or process must release it).',
  );
}
