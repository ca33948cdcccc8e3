import { defineProxyKind } from '../base-proxy.js';
import { AcquirerProxy } from './acquirer.js';

/**
 * A proxy of a Lock held by a manager: any caller may release it.
 *
 * Python: the proxy of `SyncManager.Lock()` (`threading.Lock` in the manager).
 *
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#lock}
 */
export class LockProxy extends AcquirerProxy {
  static {
    defineProxyKind('lock', LockProxy);
  }

  /** Whether it is held. Python: `locked()`. @returns true when held */
  locked(): Promise<boolean> {
    return this.callMethod('locked') as Promise<boolean>;
  }
}

/**
 * A proxy of a re-entrant lock held by a manager: owned by the thread or
 * process that acquired it (all its async tasks alike), acquired again by it
 * without waiting, released as many times.
 *
 * Python: the proxy of `SyncManager.RLock()`.
 *
 * @example
 * ```ts
 * import { Manager } from '@mp/managers';
 * await using manager = await Manager();
 * const rlock = await manager.RLock();
 * await rlock.acquire();
 * await rlock.acquire();
 * await rlock.release();
 * await rlock.release();
 * ```
 */
export class RLockProxy extends AcquirerProxy {
  static {
    defineProxyKind('rlock', RLockProxy);
  }
}
