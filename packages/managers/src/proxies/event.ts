import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of an Event held by a manager.
 *
 * Python: `EventProxy` (`is_set` → `isSet`).
 *
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#event}
 */
export class EventProxy extends BaseProxy {
  static {
    defineProxyKind('event', EventProxy);
  }

  /** Sets the flag and wakes every waiter. Python: `set()`. @returns when done */
  async set(): Promise<void> {
    await this.callMethod('set');
  }

  /** Clears the flag. Python: `clear()`. @returns when done */
  async clear(): Promise<void> {
    await this.callMethod('clear');
  }

  /** Whether the flag is set. Python: `is_set()`. @returns the flag */
  isSet(): Promise<boolean> {
    return this.callMethod('isSet') as Promise<boolean>;
  }

  /** Waits until the flag is set, up to `timeout` ms. Python: `wait(timeout=None)`. @param timeout - ms @returns the flag at the end */
  wait(timeout?: number): Promise<boolean> {
    return this.callMethod('wait', [timeout]) as Promise<boolean>;
  }
}
