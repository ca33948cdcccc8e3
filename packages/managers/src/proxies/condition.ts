import { defineProxyKind } from '../base-proxy.js';
import { AcquirerProxy } from './acquirer.js';

/**
 * A proxy of a Condition held by a manager, over a manager Lock or RLock.
 * `waitFor(predicate)` is not offered: a function cannot cross to the manager;
 * loop on `wait()` instead.
 *
 * Python: the proxy of `SyncManager.Condition(lock=None)` (`notify_all` → `notifyAll`).
 *
 * @example
 * ```ts
 * import { Manager } from '@mp/managers';
 * await using manager = await Manager();
 * const cond = await manager.Condition();
 * await cond.acquire();
 * console.log(await cond.wait(10)); // false: nobody notified
 * await cond.release();
 * ```
 */
export class ConditionProxy extends AcquirerProxy {
  static {
    defineProxyKind('condition', ConditionProxy);
  }

  /** Releases the lock, waits for a notify (up to `timeout` ms), takes the lock again. Python: `wait(timeout=None)`. @param timeout - ms @returns false on timeout @throws {@link @mp/sync!NotOwnerError} (rejection) without the lock */
  wait(timeout?: number): Promise<boolean> {
    return this.callMethod('wait', [timeout]) as Promise<boolean>;
  }

  /** Wakes up to `n` waiters. Python: `notify(n=1)`. @param n - how many @returns when done @throws {@link @mp/sync!NotOwnerError} (rejection) without the lock */
  async notify(n = 1): Promise<void> {
    await this.callMethod('notify', [n]);
  }

  /** Wakes every waiter. Python: `notify_all()`. @returns when done @throws {@link @mp/sync!NotOwnerError} (rejection) without the lock */
  async notifyAll(): Promise<void> {
    await this.callMethod('notifyAll');
  }
}
