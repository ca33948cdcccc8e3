import { describe } from '@mp/core/internal';
import type { Op } from './ops.js';

/**
 * What {@link Condition} and {@link Barrier} need from a {@link Lock} or
 * {@link RLock} beyond its public methods. Kept out of the public types: each
 * lock registers its implementation here when it is made.
 */
export interface OwnedLock {
  /** True when this isolate holds the lock. */
  isMine(): boolean;
  /** Takes the lock before `deadline` (re-entrantly for an RLock). */
  acquireOp(deadline: number): Op<boolean>;
  /** Releases every level this isolate holds; returns what {@link OwnedLock.restoreOp} needs. */
  releaseAll(): number;
  /** Takes the lock again without time limit and restores the level saved by {@link OwnedLock.releaseAll}. */
  restoreOp(saved: number): Op<void>;
}

const KEY = Symbol.for('@mp/sync.owned-locks');

/**
 * Kept on `globalThis` under a `Symbol.for` key, so that a Condition from one
 * copy of this package (say `src` and `dist` both loaded) accepts a Lock from
 * another copy.
 */
const registry: WeakMap<object, OwnedLock> = ((globalThis as { [KEY]?: WeakMap<object, OwnedLock> })[KEY] ??= new WeakMap());

export function registerOwnedLock(lock: object, owned: OwnedLock): void {
  registry.set(lock, owned);
}

/** The registered implementation, or a TypeError naming what was passed. */
export function ownedLockOf(lock: unknown, what: string): OwnedLock {
  const owned = typeof lock === 'object' && lock !== null ? registry.get(lock) : undefined;
  if (!owned) throw new TypeError(`Expected ${what} to be a Lock or RLock from @mp/sync, got ${describe(lock)}`);
  return owned;
}
