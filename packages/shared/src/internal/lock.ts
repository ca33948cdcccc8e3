import { isShareable } from '@mp/core';
import { describe } from '@mp/core/internal';
import { Lock, RLock } from '@mp/sync';
import { NoLockError } from '../errors.js';

export type { Lock, RLock };

/** The lock a synchronized value or array may hold. */
export type AnyLock = Lock | RLock;

/**
 * Resolves the `lock` option as Python's `Value(…, lock=…)` does: `true` (or
 * absent) makes a new re-entrant lock, `false` none, and a lock is used as given.
 *
 * @throws TypeError for anything else
 */
export function resolveLock(option: unknown, owner: string): AnyLock | null {
  if (option === undefined || option === true) return new RLock();
  if (option === false) return null;
  if (option instanceof Lock || option instanceof RLock) return option;
  // Duck typing, as Python checks for `acquire`: a lock from another copy of
  // @mp/sync (or another shareable lock with the same methods) works too.
  if (
    typeof option === 'object' && option !== null && isShareable(option) &&
    typeof (option as Partial<Lock>).acquireSync === 'function' && typeof (option as Partial<Lock>).release === 'function'
  ) {
    return option as unknown as AnyLock;
  }
  throw new TypeError(
    `Expected the \`lock\` option of ${owner} to be true, false, or a Lock or RLock from @mp/sync, got ${describe(option)}`,
  );
}

/** The error of `getLock()` on an object created with `{ lock: false }`. */
export function noLock(owner: string): NoLockError {
  return new NoLockError(
    `This ${owner} was created with { lock: false } and has no lock: create it with a lock (the default), ` +
      'or pass one: { lock: new Lock() }.',
  );
}
