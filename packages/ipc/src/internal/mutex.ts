import { isIsolateAlive, isolateToken, notify } from '@mp/core';
import type { Op } from './waiting.js';

/** This isolate's token, read once: core looks it up in a per-isolate map, too slow for every acquire. */
let myToken = 0;
function me(): number {
  return myToken || (myToken = isolateToken());
}

/** Spins before a contended acquire goes to sleep: a holder keeps the lock for well under a microsecond. */
const SPINS = 256;
/**
 * A sleeping waiter wakes at least this often to look at the owner: a thread
 * killed while holding the lock never releases it, and nobody notifies when
 * its parent marks it dead.
 */
export const OWNER_CHECK_MS = 20;

/**
 * A mutual-exclusion lock in one word of shared memory that survives the death
 * of its holder. The word holds the owner's isolate token (0 = free); a
 * second word counts sleepers, so that `release` calls `notify` only when
 * someone sleeps.
 *
 * Why a wake-up cannot be lost: a sleeper increments the sleeper count, then
 * reads the lock word and sleeps only while it still holds that owner; the
 * releaser clears the lock word, then reads the sleeper count. Atomics are
 * sequentially consistent, so either the sleeper sees the cleared word, or the
 * releaser sees the sleeper and notifies (and `Atomics.wait` re-checks the
 * word atomically with going to sleep).
 *
 * Dead owners: when the owner's token is no longer alive (its parent saw it
 * exit, even when killed) a waiter takes the lock over with a CAS from that
 * token, and runs the caller's `recover` to repair what the dead owner may
 * have left half done. Only one waiter can win that CAS.
 */
export class Mutex {
  readonly #words: Int32Array;
  readonly #lock: number;
  readonly #sleepers: number;
  readonly #recover: () => void;

  /**
   * @param words - the shared words
   * @param lock - index of the lock word
   * @param sleepers - index of the sleeper count
   * @param recover - repairs the protected state after its owner died holding the lock
   */
  constructor(words: Int32Array, lock: number, sleepers: number, recover: () => void) {
    this.#words = words;
    this.#lock = lock;
    this.#sleepers = sleepers;
    this.#recover = recover;
  }

  /** Takes the lock if it is free or frees up within a short spin, without sleeping. */
  tryAcquire(): boolean {
    const words = this.#words;
    const self = me();
    let owner = Atomics.compareExchange(words, this.#lock, 0, self);
    if (owner === 0) return true;
    // Test-and-test-and-set: spin on plain reads, which stay in this core's
    // cache, and CAS only when the lock looks free.
    for (let i = 0; i < SPINS; i++) {
      owner = Atomics.load(words, this.#lock);
      if (owner === 0) {
        owner = Atomics.compareExchange(words, this.#lock, 0, self);
        if (owner === 0) return true;
      }
    }
    // Still held: perhaps by the dead (looked up once, not on every spin).
    return this.#takeOverFromDead(owner, self);
  }

  /** Takes the lock, sleeping as needed (driven by `runSync` or `runAsync`). */
  *acquire(): Op<void> {
    if (this.tryAcquire()) return;
    const words = this.#words;
    const self = me();
    Atomics.add(words, this.#sleepers, 1);
    try {
      for (;;) {
        const owner = Atomics.load(words, this.#lock);
        if (owner === 0) {
          if (Atomics.compareExchange(words, this.#lock, 0, self) === 0) return;
          continue;
        }
        if (this.#takeOverFromDead(owner, self)) return;
        yield { view: words, index: this.#lock, value: owner, timeout: OWNER_CHECK_MS };
      }
    } finally {
      Atomics.sub(words, this.#sleepers, 1);
    }
  }

  /**
   * Repairs the protected state if the lock is held by a dead isolate. A
   * takeover otherwise happens only when another isolate wants the lock; a
   * reader of the state (`qsize()`, `empty()`) must not see what a producer
   * killed half-way left behind just because nobody has put since.
   */
  repairIfAbandoned(): void {
    const owner = Atomics.load(this.#words, this.#lock);
    if (owner === 0 || owner === me() || isIsolateAlive(owner)) return;
    if (Atomics.compareExchange(this.#words, this.#lock, owner, me()) === owner) {
      this.#recover();
      this.release();
    }
  }

  /** Releases the lock; wakes one sleeper if there is one. */
  release(): void {
    Atomics.store(this.#words, this.#lock, 0);
    if (Atomics.load(this.#words, this.#sleepers) > 0) notify(this.#words, this.#lock, 1);
  }

  /**
   * An owner that is dead — or is this isolate, which cannot hold the lock
   * while it runs this code (locks are never held across an await), so the
   * token was recycled from a dead isolate — loses the lock to us.
   */
  #takeOverFromDead(owner: number, me: number): boolean {
    if (owner !== 0 && (owner === me || !isIsolateAlive(owner))) {
      if (Atomics.compareExchange(this.#words, this.#lock, owner, me) === owner) {
        this.#recover();
        return true;
      }
    }
    return false;
  }
}
