import { describe } from '@mp/core/internal';
import { NotOwnerError, OverReleaseError } from '@mp/sync';
import { caller, type Caller } from './caller.js';
import { deadlineOf, toTimeout, WaitList } from './waiters.js';

/** What Condition needs of its lock. */
export interface ConditionLock {
  acquireAs(who: Caller, deadline: number): Promise<boolean>;
  isOwnedBy(who: Caller): boolean;
  /** Releases it entirely; returns what {@link ConditionLock.restore} needs. */
  releaseSave(who: Caller): number;
  restore(who: Caller, saved: number): Promise<void>;
}

/**
 * The manager's Lock (Python's `threading.Lock` in the manager): released by
 * any caller; on release it is handed straight to the longest waiter.
 */
export class LockReferent implements ConditionLock {
  static readonly exposed = ['acquire', 'release', 'locked'] as const;
  #owner: Caller | undefined;
  #locked = false;
  readonly #waiters = new WaitList();

  acquire(timeout?: number | null): boolean | Promise<boolean> {
    return this.#acquire(caller(), deadlineOf(toTimeout(timeout)));
  }

  acquireAs(who: Caller, deadline: number): Promise<boolean> {
    return Promise.resolve(this.#acquire(who, deadline));
  }

  #acquire(who: Caller, deadline: number): boolean | Promise<boolean> {
    if (!this.#locked) {
      this.#locked = true;
      this.#owner = who;
      return true;
    }
    // On release the lock is handed to the woken waiter (`#owner` is set there): true means it holds it.
    return this.#waiters.wait(who, deadline);
  }

  release(): void {
    if (!this.#locked) throw new OverReleaseError('release unlocked lock: the manager Lock was not locked. Release it only after acquire() gave true.');
    this.#handOff();
  }

  #handOff(): void {
    const next = this.#waiters.wakeOne();
    if (next) this.#owner = next;
    else {
      this.#locked = false;
      this.#owner = undefined;
    }
  }

  locked(): boolean {
    return this.#locked;
  }

  isOwnedBy(who: Caller): boolean {
    return this.#locked && this.#owner === who;
  }

  releaseSave(who: Caller): number {
    if (!this.isOwnedBy(who)) throw new NotOwnerError('cannot release un-acquired lock');
    this.#handOff();
    return 1;
  }

  async restore(who: Caller): Promise<void> {
    await this.#acquire(who, Infinity);
  }
}

/** The manager's RLock: owned by the calling connection (one per thread or process), re-entrant. */
export class RLockReferent implements ConditionLock {
  static readonly exposed = ['acquire', 'release'] as const;
  #owner: Caller | undefined;
  #count = 0;
  readonly #waiters = new WaitList();

  acquire(timeout?: number | null): boolean | Promise<boolean> {
    return this.#acquire(caller(), deadlineOf(toTimeout(timeout)), 1);
  }

  acquireAs(who: Caller, deadline: number): Promise<boolean> {
    return Promise.resolve(this.#acquire(who, deadline, 1));
  }

  #acquire(who: Caller, deadline: number, count: number): boolean | Promise<boolean> {
    if (this.#owner === who) {
      this.#count += count;
      return true;
    }
    if (this.#owner === undefined) {
      this.#owner = who;
      this.#count = count;
      return true;
    }
    return this.#waiters.wait(who, deadline).then((got) => {
      if (got) this.#count = count;
      return got;
    });
  }

  release(): void {
    const who = caller();
    if (this.#owner !== who) {
      throw new NotOwnerError('cannot release un-acquired lock: this manager RLock is not held by the calling thread or process.');
    }
    if (--this.#count === 0) this.#handOff();
  }

  #handOff(): void {
    const next = this.#waiters.wakeOne();
    this.#owner = next;
    // The count of the new owner is set when its wait resolves (before its caller hears of it).
    this.#count = next ? 1 : 0;
  }

  isOwnedBy(who: Caller): boolean {
    return this.#owner === who;
  }

  releaseSave(who: Caller): number {
    if (this.#owner !== who) throw new NotOwnerError('cannot release un-acquired lock');
    const saved = this.#count;
    this.#handOff();
    return saved;
  }

  async restore(who: Caller, saved: number): Promise<void> {
    await this.#acquire(who, Infinity, saved);
  }
}

/** The manager's Semaphore and BoundedSemaphore. */
export class SemaphoreReferent {
  static readonly exposed = ['acquire', 'release', 'getValue'] as const;
  #value: number;
  readonly #bound: number | undefined;
  readonly #waiters = new WaitList();

  constructor(value: unknown = 1, bounded = false) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new RangeError(`semaphore initial value must be >= 0: expected a non-negative integer, got ${describe(value)}`);
    }
    this.#value = value;
    this.#bound = bounded ? value : undefined;
  }

  acquire(timeout?: number | null): boolean | Promise<boolean> {
    if (this.#value > 0) {
      this.#value--;
      return true;
    }
    // A release hands its unit straight to the woken waiter.
    return this.#waiters.wait(caller(), deadlineOf(toTimeout(timeout)));
  }

  release(n: unknown = 1): void {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`n must be one or more: got ${describe(n)}`);
    if (this.#bound !== undefined && this.#value + n > this.#bound) {
      throw new OverReleaseError(`Semaphore released too many times: a BoundedSemaphore(${this.#bound}) cannot go above its initial value.`);
    }
    for (let i = 0; i < n; i++) if (!this.#waiters.wakeOne()) this.#value++;
  }

  getValue(): number {
    return this.#value;
  }
}
