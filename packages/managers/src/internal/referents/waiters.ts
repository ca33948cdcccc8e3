import type { Caller } from './caller.js';

interface Waiter {
  readonly owner: Caller;
  settle(woken: boolean): void;
}

/** A timeout in ms as the referents take it: `undefined`/`null` = no limit; negative = 0. */
export function toTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === null) return undefined;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`Expected \`timeout\` to be a number of milliseconds (or undefined for no limit), got ${String(timeout)} (${typeof timeout})`);
  }
  return Math.max(0, timeout);
}

/** A deadline (performance.now() ms) from a timeout; Infinity for none. */
export function deadlineOf(timeout: number | undefined): number {
  return timeout === undefined ? Infinity : performance.now() + timeout;
}

/**
 * Callers waiting in the manager, first come first woken. A wait ends when it
 * is woken, when its timeout passes, or when its caller's connection closes;
 * each ends exactly once and leaves the list at that moment, so a wake-up is
 * never given to a wait that already ended.
 */
export class WaitList {
  readonly #waiters = new Set<Waiter>();

  get size(): number {
    return this.#waiters.size;
  }

  /** Waits until woken (true), or the deadline passes or the caller goes away (false). */
  wait(owner: Caller, deadline: number): Promise<boolean> {
    const left = deadline - performance.now();
    if (left <= 0 || owner.signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.settle(false);
      const waiter: Waiter = {
        owner,
        settle: (woken) => {
          if (!this.#waiters.delete(waiter)) return;
          if (timer) clearTimeout(timer);
          owner.signal.removeEventListener('abort', onAbort);
          resolve(woken);
        },
      };
      this.#waiters.add(waiter);
      owner.signal.addEventListener('abort', onAbort, { once: true });
      if (left !== Infinity) timer = setTimeout(() => waiter.settle(false), left);
    });
  }

  /** Wakes the longest waiting caller; returns it (undefined when none waits). */
  wakeOne(): Caller | undefined {
    const first = this.#waiters.values().next();
    if (first.done) return undefined;
    first.value.settle(true);
    return first.value.owner;
  }

  /** Wakes every waiting caller; returns how many. */
  wakeAll(): number {
    const all = [...this.#waiters];
    for (const waiter of all) waiter.settle(true);
    return all.length;
  }
}
