import { describe } from '@mp/core/internal';
import { BrokenBarrierError, NotOwnerError } from '@mp/sync';
import { caller } from './caller.js';
import { RLockReferent, type ConditionLock } from './locks.js';
import { deadlineOf, toTimeout, WaitList } from './waiters.js';

/** The manager's Event. */
export class EventReferent {
  static readonly exposed = ['set', 'clear', 'isSet', 'wait'] as const;
  #flag = false;
  readonly #waiters = new WaitList();

  set(): void {
    this.#flag = true;
    this.#waiters.wakeAll();
  }

  clear(): void {
    this.#flag = false;
  }

  isSet(): boolean {
    return this.#flag;
  }

  wait(timeout?: number | null): boolean | Promise<boolean> {
    if (this.#flag) return true;
    return this.#waiters.wait(caller(), deadlineOf(toTimeout(timeout)));
  }
}

/** The manager's Condition, over a manager Lock or RLock (a new RLock by default). */
export class ConditionReferent {
  static readonly exposed = ['acquire', 'release', 'wait', 'notify', 'notifyAll'] as const;
  readonly #lock: ConditionLock & { acquire(timeout?: number | null): boolean | Promise<boolean>; release(): void };
  readonly #waiters = new WaitList();

  constructor(lock?: ConditionLock & { acquire(timeout?: number | null): boolean | Promise<boolean>; release(): void }) {
    this.#lock = lock ?? new RLockReferent();
  }

  acquire(timeout?: number | null): boolean | Promise<boolean> {
    return this.#lock.acquire(timeout);
  }

  release(): void {
    this.#lock.release();
  }

  async wait(timeout?: number | null): Promise<boolean> {
    const who = caller();
    const deadline = deadlineOf(toTimeout(timeout));
    if (!this.#lock.isOwnedBy(who)) throw new NotOwnerError('cannot wait on un-acquired lock: must acquire() condition before using wait()');
    // In the list before the lock is let go: a notify() that follows the release cannot miss this waiter.
    const woken = this.#waiters.wait(who, deadline);
    const saved = this.#lock.releaseSave(who);
    try {
      return await woken;
    } finally {
      await this.#lock.restore(who, saved);
    }
  }

  notify(n: unknown = 1): void {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RangeError(`Expected \`n\` to be a non-negative integer, got ${describe(n)}`);
    if (!this.#lock.isOwnedBy(caller())) throw new NotOwnerError('cannot notify on un-acquired lock');
    for (let i = 0; i < n && this.#waiters.wakeOne(); i++);
  }

  notifyAll(): void {
    if (!this.#lock.isOwnedBy(caller())) throw new NotOwnerError('cannot notify on un-acquired lock');
    this.#waiters.wakeAll();
  }
}

interface Pass {
  readonly waiters: WaitList;
  broken: boolean;
}

/** The manager's Barrier (Python's `threading.Barrier`; no action: a function cannot be named by a client). */
export class BarrierReferent {
  static readonly exposed = ['wait', 'reset', 'abort', 'parties', 'nWaiting', 'broken'] as const;
  readonly #parties: number;
  readonly #timeout: number | undefined;
  #pass: Pass = { waiters: new WaitList(), broken: false };
  #count = 0;

  constructor(parties: unknown, timeout?: unknown) {
    if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1) {
      throw new RangeError(`parties must be >= 1: expected a positive integer, got ${describe(parties)}`);
    }
    this.#parties = parties;
    this.#timeout = toTimeout(timeout);
  }

  async wait(timeout?: number | null): Promise<number> {
    const who = caller();
    const pass = this.#pass;
    if (pass.broken) throw new BrokenBarrierError();
    const index = this.#count++;
    if (this.#count === this.#parties) {
      this.#count = 0;
      this.#pass = { waiters: new WaitList(), broken: false };
      pass.waiters.wakeAll();
      return index;
    }
    const woken = await pass.waiters.wait(who, deadlineOf(timeout === undefined || timeout === null ? this.#timeout : toTimeout(timeout)));
    if (!woken && !pass.broken) this.#break(pass);
    if (!woken || pass.broken) throw new BrokenBarrierError();
    return index;
  }

  #break(pass: Pass): void {
    pass.broken = true;
    if (this.#pass === pass) this.#count = 0;
    pass.waiters.wakeAll();
  }

  reset(): void {
    const pass = this.#pass;
    this.#pass = { waiters: new WaitList(), broken: false };
    this.#count = 0;
    if (pass.waiters.size > 0) {
      pass.broken = true;
      pass.waiters.wakeAll();
    }
  }

  abort(): void {
    this.#break(this.#pass);
  }

  parties(): number {
    return this.#parties;
  }

  nWaiting(): number {
    return this.#count;
  }

  broken(): boolean {
    return this.#pass.broken;
  }
}
