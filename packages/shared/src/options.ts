import type { Lock, RLock } from '@mp/sync';

/**
 * Options of {@link Value} and {@link SharedArray}.
 *
 * Python: the keyword-only `lock` argument of `Value(…, lock=True)` / `Array(…, lock=True)`.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * const a = new Value('i', 0, { lock });
 * const b = new SharedArray('d', 8, { lock }); // both guarded by one lock
 * ```
 */
export interface SynchronizedOptions {
  /**
   * `true`: a new `RLock` (re-entrant, so `getLock()` can be held around
   * `.value` reads and writes, which take it again); `false`: no lock —
   * `getLock()` throws {@link NoLockError}; a `Lock` or `RLock`: that lock,
   * which may be shared with other values.
   * @defaultValue `true`
   */
  lock?: boolean | Lock | RLock;
}
