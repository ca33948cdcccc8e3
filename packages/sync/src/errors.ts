/**
 * Raised when a {@link Lock} that is not locked is released, or a
 * {@link BoundedSemaphore} is released above its initial value.
 *
 * Python: the `ValueError` "semaphore or lock released too many times" of
 * `multiprocessing.Lock().release()`.
 *
 * @example
 * ```ts
 * new Lock().release();
 * // OverReleaseError: semaphore or lock released too many times …
 * ```
 */
export class OverReleaseError extends Error {
  /** Stable code, usable where prototypes do not survive (across threads or processes). */
  readonly code: 'ERR_MP_OVER_RELEASE' = 'ERR_MP_OVER_RELEASE';

  constructor(message: string) {
    super(message);
    this.name = 'OverReleaseError';
  }
}

/**
 * Raised when the calling thread or process does not hold a lock it must
 * hold: releasing an {@link RLock} it does not own, or calling
 * {@link Condition.wait} / {@link Condition.notify} without holding the
 * condition's lock. Ownership is per isolate (thread or process), not per
 * async task.
 *
 * Python: `AssertionError` / `RuntimeError` ("attempt to release recursive lock
 * not owned by thread", "must acquire() condition before using wait()",
 * "cannot notify on un-acquired lock").
 *
 * @example
 * ```ts
 * new RLock().release();
 * // NotOwnerError: attempt to release recursive lock not owned by thread …
 * ```
 */
export class NotOwnerError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_NOT_OWNER' = 'ERR_MP_NOT_OWNER';

  constructor(message: string) {
    super(message);
    this.name = 'NotOwnerError';
  }
}

/**
 * Raised by {@link Barrier.wait} when the barrier is, or becomes, broken: a
 * party timed out, the barrier was aborted or reset while parties waited, or
 * the action threw.
 *
 * Python: `threading.BrokenBarrierError`.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(2);
 * barrier.abort();
 * await barrier.wait(); // rejects with BrokenBarrierError
 * ```
 */
export class BrokenBarrierError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_BROKEN_BARRIER' = 'ERR_MP_BROKEN_BARRIER';

  constructor(message = 'The barrier is broken: a party timed out, it was aborted or reset, or its action threw. Call reset() to use it again.') {
    super(message);
    this.name = 'BrokenBarrierError';
  }
}
