import { TimeoutError } from '@mp/core';
import { BaseProxy } from '../base-proxy.js';

/**
 * What the lock-like proxies share: `acquire`, `release`, and `hold()` for
 * `await using` (Python's `with lock:`).
 *
 * Python: `AcquirerProxy`.
 *
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#lock}
 */
export class AcquirerProxy extends BaseProxy {
  /**
   * Acquires it in the manager, waiting up to `timeout` ms. Ownership (RLock,
   * Condition) is per thread or process, not per async task.
   *
   * Python: `acquire(blocking=True, timeout=None)`.
   *
   * @param timeout - ms; `0`: do not wait; `undefined`: no limit
   * @returns true when acquired, false on timeout
   * @example
   * ```ts
   * if (await lock.acquire(100)) await lock.release();
   * ```
   */
  acquire(timeout?: number): Promise<boolean> {
    return this.callMethod('acquire', [timeout]) as Promise<boolean>;
  }

  /**
   * Releases it.
   *
   * Python: `release()`.
   *
   * @returns when released
   * @throws {@link @mp/sync!OverReleaseError} / {@link @mp/sync!NotOwnerError} (rejection) as the local classes do
   * @example
   * ```ts
   * await lock.release();
   * ```
   */
  async release(): Promise<void> {
    await this.callMethod('release');
  }

  /**
   * Acquires it and returns a handle that releases it at the end of an
   * `await using` scope. Python: `with lock:`.
   *
   * @param timeout - ms; `undefined`: no limit
   * @returns the handle
   * @throws {@link @mp/core!TimeoutError} (rejection) when not acquired within `timeout`
   * @example
   * ```ts
   * {
   *   await using _ = await lock.hold();
   *   // … the lock is held here
   * }
   * ```
   */
  async hold(timeout?: number): Promise<AsyncDisposable> {
    if (!(await this.acquire(timeout))) throw new TimeoutError(`Could not acquire ${this} within ${timeout} ms.`);
    return { [Symbol.asyncDispose]: () => this.release() };
  }
}
