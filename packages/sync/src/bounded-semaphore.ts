import { defineShared, type SharedRegion } from '@mp/core';
import { BOUNDED_TYPE, Semaphore, adoptNext, bound } from './semaphore.js';

/**
 * A {@link Semaphore} that may not be released above its initial value:
 * an extra `release()` throws instead of silently adding a permit.
 *
 * Python: `multiprocessing.BoundedSemaphore`.
 *
 * @example
 * ```ts
 * const slots = new BoundedSemaphore(2);
 * slots.release(); // OverReleaseError: semaphore or lock released too many times …
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  static {
    defineShared<{ region: SharedRegion; bound: number }>(BOUNDED_TYPE, (state) => {
      adoptNext(state.region);
      return new BoundedSemaphore(state.bound);
    });
  }

  /**
   * Creates a semaphore holding `value` permits, and at most `value`.
   *
   * @param value - the initial and maximum number of permits, an integer from 0 to 2³¹−1
   * @defaultValue `value`: 1
   * @throws TypeError when `value` is not a number
   * @throws RangeError when `value` is negative, not an integer or too large
   */
  constructor(value = 1) {
    super(value);
    bound(this, value);
  }
}
