import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a Barrier held by a manager (no `action`: a function cannot be
 * named by a client). Properties of Python's barrier are async methods here.
 *
 * Python: `BarrierProxy` (`n_waiting` → `nWaiting()`, `parties` → `parties()`, `broken` → `broken()`).
 *
 * @example
 * ```ts
 * import { Manager } from '@mp/managers';
 * await using manager = await Manager();
 * const barrier = await manager.Barrier(1);
 * console.log(await barrier.wait()); // 0
 * ```
 */
export class BarrierProxy extends BaseProxy {
  static {
    defineProxyKind('barrier', BarrierProxy);
  }

  /** Waits for all parties; returns this party's index (0 … parties-1). Python: `wait(timeout=None)`. @param timeout - ms @returns the index @throws {@link @mp/sync!BrokenBarrierError} (rejection) on timeout, abort or reset */
  wait(timeout?: number): Promise<number> {
    return this.callMethod('wait', [timeout]) as Promise<number>;
  }

  /** Breaks the waiting parties out and starts over. Python: `reset()`. @returns when done */
  async reset(): Promise<void> {
    await this.callMethod('reset');
  }

  /** Breaks it until `reset()`. Python: `abort()`. @returns when done */
  async abort(): Promise<void> {
    await this.callMethod('abort');
  }

  /** The number of parties. Python: `parties`. @returns the count */
  parties(): Promise<number> {
    return this.callMethod('parties') as Promise<number>;
  }

  /** The number of parties waiting. Python: `n_waiting`. @returns the count */
  nWaiting(): Promise<number> {
    return this.callMethod('nWaiting') as Promise<number>;
  }

  /** Whether it is broken. Python: `broken`. @returns the state */
  broken(): Promise<boolean> {
    return this.callMethod('broken') as Promise<boolean>;
  }
}
