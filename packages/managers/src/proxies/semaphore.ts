import { defineProxyKind } from '../base-proxy.js';
import { AcquirerProxy } from './acquirer.js';

/**
 * A proxy of a Semaphore or BoundedSemaphore held by a manager.
 *
 * Python: the proxies of `SyncManager.Semaphore(value)` and `BoundedSemaphore(value)`.
 *
 * @example
 * ```ts
 * import { Manager } from '@mp/managers';
 * await using manager = await Manager();
 * const sem = await manager.Semaphore(2);
 * await sem.acquire();
 * console.log(await sem.getValue()); // 1
 * await sem.release();
 * ```
 */
export class SemaphoreProxy extends AcquirerProxy {
  static {
    defineProxyKind('semaphore', SemaphoreProxy);
  }

  /**
   * Releases it `n` times.
   *
   * Python: `release(n=1)`.
   *
   * @param n - how many units @defaultValue 1
   * @returns when released
   * @throws {@link @mp/sync!OverReleaseError} (rejection) for a BoundedSemaphore released above its initial value
   */
  override async release(n = 1): Promise<void> {
    await this.callMethod('release', [n]);
  }

  /** The current value. Python: `get_value()`. @returns the value */
  getValue(): Promise<number> {
    return this.callMethod('getValue') as Promise<number>;
  }
}
