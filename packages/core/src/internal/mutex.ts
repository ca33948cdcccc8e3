import { notify } from '../shared-memory.js';
import { isolateToken, isTokenAlive } from './isolates.js';

/**
 * The one futex mutex of `@mp`: `@mp/sync`'s Lock and RLock and `@mp/ipc`'s
 * queues and pipes all lock with it, so that dead-owner recovery has one set
 * of rules, in one place.
 *
 * Two words of shared memory:
 *
 * - the lock word holds the holder's isolate token (`isolateToken()`), 0 while
 *   free. Taking the lock is one CAS from 0 to our token, so the owner is
 *   recorded in the same atomic step that takes the lock: there is no instant
 *   at which the lock is held by nobody known, and a holder killed at any
 *   point can be recognised as dead.
 * - the sleeper word counts waiters that may be asleep, so that a release
 *   calls `notify` (a syscall across processes) only when someone sleeps.
 *
 * Why a wake-up cannot be lost: a sleeper increments the sleeper count, then
 * reads the lock word and sleeps only while it still holds that value (the
 * wait compares and sleeps atomically); the releaser clears the lock word,
 * then reads the sleeper count. Atomics are sequentially consistent, so either
 * the sleeper sees the cleared word, or the releaser sees the sleeper and
 * notifies.
 *
 * Dead owners: when the token in the lock word is no longer alive (see
 * `isolates.ts`: its isolate cleared its bit on the way out, its parent saw it
 * exit, or its OS process is gone — checked by pid, so even a waiter whose
 * event loop is blocked sees it) a waiter takes the lock over with a CAS from
 * that token to its own, so exactly one waiter inherits it, and runs the
 * owner's `recover` to repair what the dead holder left half done. A release
 * clears the word before anyone can recover it, so a lock that was released
 * meanwhile is never "recovered".
 *
 * Liveness is checked when a spin gives up and after each sleep slice of
 * {@link OWNER_CHECK_MS} that passed without a wake-up — never on the fast
 * path.
 */

/**
 * Loads of the lock word before sleeping. About 1 µs here: long enough to
 * catch a holder that is unlocking on the other core, short enough to cost
 * nothing next to a sleep (5–10 µs for a futex round trip).
 */
export const SPIN_LIMIT = 100;

/**
 * How long a waiter sleeps before it looks at the owner again: nobody notifies
 * when an owner dies, so a dead owner is recovered after about this long.
 */
export const OWNER_CHECK_MS = 20;

/** "Sleep while `view[index] === value`, at most `timeout` ms" — what the drivers of the packages answer. */
export interface MutexWait {
  readonly view: Int32Array;
  readonly index: number;
  readonly value: number;
  /** Milliseconds; `Infinity` for no limit. */
  readonly timeout: number;
}

/** Options of {@link Mutex}. */
export interface MutexOptions {
  /** Repairs the protected state after its holder died holding the lock; runs in the heir, lock held. */
  readonly recover?: () => void;
  /**
   * Set when the owners of this mutex never try to take it while they hold it
   * (no re-entry, never held across an await): finding our own token in the
   * lock word then means the token was recycled from a dead isolate, and the
   * lock is taken over. Leave it unset for a user-facing non-re-entrant Lock,
   * whose second acquire by its holder must wait (as in Python).
   * @defaultValue `false`
   */
  readonly selfHeldIsStale?: boolean;
}

let ownToken = 0;
/** This isolate's token, read once (module instances are per isolate): the fast path pays one load. */
function me(): number {
  return ownToken !== 0 ? ownToken : (ownToken = isolateToken());
}

/**
 * A mutual-exclusion lock on two words of shared memory that survives the
 * death of its holder (see the module comment). The blocking part is a
 * generator that yields a {@link MutexWait} for each sleep, so that one
 * algorithm serves the blocking and the promise forms of its users.
 *
 * @example
 * ```ts
 * const mutex = new Mutex(region.int32(), 0, 1, { recover: repair });
 * runSync(mutex.acquire());
 * try { change(); } finally { mutex.release(); }
 * ```
 */
export class Mutex {
  readonly #words: Int32Array;
  readonly #lock: number;
  readonly #sleepers: number;
  readonly #recover: (() => void) | undefined;
  readonly #selfHeldIsStale: boolean;

  /**
   * @param words - the shared words (zero-filled for a new mutex)
   * @param lock - index of the lock word
   * @param sleepers - index of the sleeper count
   * @param options - dead-owner repair, token recycling rule
   */
  constructor(words: Int32Array, lock: number, sleepers: number, options: MutexOptions = {}) {
    this.#words = words;
    this.#lock = lock;
    this.#sleepers = sleepers;
    this.#recover = options.recover;
    this.#selfHeldIsStale = options.selfHeldIsStale ?? false;
  }

  /** One CAS: takes the lock if it is free. */
  tryLock(): boolean {
    return Atomics.compareExchange(this.#words, this.#lock, 0, me()) === 0;
  }

  /**
   * Takes the lock if it is free, frees up within a short spin, or is held by
   * a dead isolate — without sleeping.
   */
  tryAcquire(): boolean {
    if (this.tryLock()) return true;
    const owner = this.#spin();
    return owner === 0 || this.#takeOverFromDead(owner);
  }

  /**
   * Takes the lock before `deadline` (a `performance.now()` time; `Infinity`
   * for none), sleeping while it is held.
   *
   * @returns a generator to drive with the package's `runSync`/`runAsync`; it returns false when the deadline passed first
   */
  *acquire(deadline = Infinity): Generator<MutexWait, boolean, unknown> {
    if (this.tryAcquire()) return true;
    const words = this.#words;
    const self = me();
    Atomics.add(words, this.#sleepers, 1);
    try {
      for (;;) {
        const owner = Atomics.load(words, this.#lock);
        if (owner === 0) {
          if (Atomics.compareExchange(words, this.#lock, 0, self) === 0) return true;
          continue;
        }
        let slice = OWNER_CHECK_MS;
        if (deadline !== Infinity) {
          // Checked only after a try: a waiter woken at its deadline by the
          // release meant for it takes the lock instead of dropping it.
          const left = deadline - performance.now();
          if (left <= 0) return false;
          if (left < slice) slice = left;
        }
        const before = performance.now();
        yield { view: words, index: this.#lock, value: owner, timeout: slice };
        // A whole slice without a change: the lock has not moved for a
        // while, so look whether its owner is still alive.
        if (slice === OWNER_CHECK_MS && performance.now() - before >= OWNER_CHECK_MS && this.#takeOverFromDead(owner)) {
          return true;
        }
      }
    } finally {
      Atomics.sub(words, this.#sleepers, 1);
    }
  }

  /**
   * Frees the lock (whoever holds it) and wakes one sleeper if there may be one.
   *
   * @returns false when it was not locked
   */
  release(): boolean {
    const previous = Atomics.exchange(this.#words, this.#lock, 0);
    if (Atomics.load(this.#words, this.#sleepers) > 0) notify(this.#words, this.#lock, 1);
    return previous !== 0;
  }

  /** The holder's isolate token, 0 while free. */
  owner(): number {
    return Atomics.load(this.#words, this.#lock);
  }

  /** Whether this isolate holds the lock. */
  isMine(): boolean {
    return Atomics.load(this.#words, this.#lock) === me();
  }

  /**
   * Repairs the protected state if the lock is held by a dead isolate. A
   * takeover otherwise happens only when another isolate wants the lock; a
   * reader of the state (say a queue's `qsize()`) must not see what a holder
   * killed half-way left behind just because nobody has locked since.
   */
  repairIfAbandoned(): void {
    const owner = Atomics.load(this.#words, this.#lock);
    if (owner === 0 || owner === me() || isTokenAlive(owner)) return;
    if (Atomics.compareExchange(this.#words, this.#lock, owner, me()) === owner) {
      this.#recover?.();
      this.release();
    }
  }

  /** Spins on loads (they stay in this core's cache), CAS only when free. Returns the last owner seen, 0 once taken. */
  #spin(): number {
    const words = this.#words;
    let owner = 0;
    for (let i = 0; i < SPIN_LIMIT; i++) {
      owner = Atomics.load(words, this.#lock);
      if (owner === 0) {
        owner = Atomics.compareExchange(words, this.#lock, 0, me());
        if (owner === 0) return 0;
      }
    }
    return owner;
  }

  /** Takes the lock from `owner` if that isolate is dead (or, see `selfHeldIsStale`, is us). */
  #takeOverFromDead(owner: number): boolean {
    const self = me();
    if (owner === 0 || (owner === self ? !this.#selfHeldIsStale : isTokenAlive(owner))) return false;
    if (Atomics.compareExchange(this.#words, this.#lock, owner, self) !== owner) return false;
    this.#recover?.();
    return true;
  }
}
