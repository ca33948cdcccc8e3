import type { ManagerOptions } from './base-manager.js';
import { SyncManager } from './sync-manager.js';

/**
 * Starts a manager process and returns its {@link SyncManager}, started.
 * Shut it down with `await manager.shutdown()`, or let `await using` do it.
 *
 * Python: `multiprocessing.Manager()`.
 *
 * @param options - address, authkey, context (start method of the manager process)
 * @returns the started manager
 * @throws {@link ManagerStateError} (rejection) when the manager process could not start
 * @example
 * {@includeCode ../../../apps/examples/src/manager.ts#main}
 */
export function Manager(options?: ManagerOptions): Promise<SyncManager> {
  return new SyncManager(options).start();
}
