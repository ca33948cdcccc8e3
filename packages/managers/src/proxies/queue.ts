import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a queue held by a manager (Python's `queue.Queue` there): any
 * number of producers and consumers, in any program that can reach the
 * manager. Timeouts are milliseconds; `undefined` waits without limit.
 *
 * Python: the `Queue` proxy of `SyncManager.Queue()` (`put(item, block, timeout)`
 * → `put(item, timeout)`; `block=False` → `putNowait`/`getNowait`).
 *
 * @typeParam T - the items
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#queue}
 */
export class QueueProxy<T = unknown> extends BaseProxy {
  static {
    defineProxyKind('queue', QueueProxy);
  }

  /** Puts an item, waiting for room in a bounded queue. Python: `put`. @param item - the item @param timeout - ms @returns when it is in @throws {@link @mp/ipc!FullError} (rejection) when no room came in time */
  async put(item: T, timeout?: number): Promise<void> {
    await this.callMethod('put', [item, timeout]);
  }

  /** Puts an item or fails at once. Python: `put_nowait`. @param item - the item @returns when it is in @throws {@link @mp/ipc!FullError} (rejection) when full */
  async putNowait(item: T): Promise<void> {
    await this.callMethod('putNowait', [item]);
  }

  /** Takes the next item, waiting for one. Python: `get`. @param timeout - ms @returns the item @throws {@link @mp/ipc!EmptyError} (rejection) when none came in time */
  get(timeout?: number): Promise<T> {
    return this.callMethod('get', [timeout]) as Promise<T>;
  }

  /** Takes the next item or fails at once. Python: `get_nowait`. @returns the item @throws {@link @mp/ipc!EmptyError} (rejection) when empty */
  getNowait(): Promise<T> {
    return this.callMethod('getNowait') as Promise<T>;
  }

  /** The number of items. Python: `qsize`. @returns the count */
  qsize(): Promise<number> {
    return this.callMethod('qsize') as Promise<number>;
  }

  /** Whether it is empty. Python: `empty`. @returns true when empty */
  empty(): Promise<boolean> {
    return this.callMethod('empty') as Promise<boolean>;
  }

  /** Whether a bounded queue is full. Python: `full`. @returns true when full */
  full(): Promise<boolean> {
    return this.callMethod('full') as Promise<boolean>;
  }
}

/**
 * A proxy of a joinable queue held by a manager: a {@link QueueProxy} plus
 * `taskDone()` and `join()`.
 *
 * Python: the proxy of `SyncManager.JoinableQueue()` (`task_done` → `taskDone`).
 *
 * @typeParam T - the items
 * @example
 * ```ts
 * import { Manager } from '@mp/managers';
 * await using manager = await Manager();
 * const q = await manager.JoinableQueue<number>();
 * await q.put(1);
 * await q.get();
 * await q.taskDone();
 * await q.join();
 * ```
 */
export class JoinableQueueProxy<T = unknown> extends QueueProxy<T> {
  static {
    defineProxyKind('joinable-queue', JoinableQueueProxy);
  }

  /** Marks one item taken as processed. Python: `task_done`. @returns when done @throws {@link @mp/ipc!TaskDoneError} (rejection) when called more times than items were put */
  async taskDone(): Promise<void> {
    await this.callMethod('taskDone');
  }

  /** Waits until every item put has been marked done. Python: `join`. @returns when all are done */
  async join(): Promise<void> {
    await this.callMethod('join');
  }
}
