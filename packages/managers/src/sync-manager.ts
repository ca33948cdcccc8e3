import { BaseManager, registerBuiltins } from './base-manager.js';
import type { BarrierProxy } from './proxies/barrier.js';
import type { ConditionProxy } from './proxies/condition.js';
import type { DictProxy } from './proxies/dict.js';
import type { EventProxy } from './proxies/event.js';
import type { ListProxy } from './proxies/list.js';
import type { LockProxy, RLockProxy } from './proxies/lock.js';
import type { NamespaceProxy } from './proxies/namespace.js';
import type { JoinableQueueProxy, QueueProxy } from './proxies/queue.js';
import type { SemaphoreProxy } from './proxies/semaphore.js';
import type { ArrayProxy, ValueProxy } from './proxies/value.js';

/**
 * A manager with Python's shared types: each method makes an object in the
 * manager process and returns its proxy. Get a started one with
 * {@link Manager}.
 *
 * Python: `multiprocessing.managers.SyncManager`.
 *
 * @example
 * {@includeCode ../../../apps/examples/src/manager.ts#main}
 */
export class SyncManager extends BaseManager {
  static {
    registerBuiltins(SyncManager);
  }

  /**
   * A new dict. Python: `dict(init)`. @param init - initial pairs (Map, object, or pairs) @returns its proxy
   * @example
   * ```ts
   * const d = await manager.dict<string, number>();
   * ```
   */
  dict<K = unknown, V = unknown>(init?: Map<K, V> | Record<string, V> | [K, V][]): Promise<DictProxy<K, V>> {
    return this.create('dict', ...(init === undefined ? [] : [init])) as unknown as Promise<DictProxy<K, V>>;
  }

  /**
   * A new list. Python: `list(items)`. @param items - initial items @returns its proxy
   * @example
   * ```ts
   * const l = await manager.list([1, 2]);
   * ```
   */
  list<T = unknown>(items?: readonly T[]): Promise<ListProxy<T>> {
    return this.create('list', ...(items === undefined ? [] : [items])) as unknown as Promise<ListProxy<T>>;
  }

  /**
   * A new Namespace. Python: `Namespace(**kwds)`. @param init - initial names and values @returns its proxy
   * @example
   * ```ts
   * const ns = await manager.Namespace({ x: 1 });
   * ```
   */
  Namespace<T extends Record<string, unknown> = Record<string, unknown>>(init?: Partial<T>): Promise<NamespaceProxy<T>> {
    return this.create('Namespace', ...(init === undefined ? [] : [init])) as unknown as Promise<NamespaceProxy<T>>;
  }

  /**
   * A new Value. Python: `Value(typecode, value)`. @param typecode - kept, as in CPython (not enforced) @param value - the value @returns its proxy
   * @example
   * ```ts
   * const v = await manager.Value('i', 0);
   * ```
   */
  Value<T = number>(typecode: string, value: T): Promise<ValueProxy<T>> {
    return this.create('Value', typecode, value) as unknown as Promise<ValueProxy<T>>;
  }

  /**
   * A new array. Python: `Array(typecode, sequence)`. @param typecode - 'b' … 'd' @param sequence - initial values, or a length @returns its proxy @throws {@link RemoteError} (rejection) for a bad typecode or value
   * @example
   * ```ts
   * const a = await manager.Array('i', [1, 2, 3]);
   * ```
   */
  Array(typecode: string, sequence: readonly number[] | number): Promise<ArrayProxy<number>>;
  /**
   * A new array of 64-bit integers. Python: `Array('q', sequence)`. @param typecode - 'q' or 'Q' @param sequence - initial values @returns its proxy @throws {@link RemoteError} (rejection) for a bad typecode or value
   * @example
   * ```ts
   * const big = await manager.Array('q', [1n, 2n]);
   * ```
   */
  Array(typecode: string, sequence: readonly bigint[]): Promise<ArrayProxy<bigint>>;
  Array(typecode: string, sequence: readonly (number | bigint)[] | number): Promise<ArrayProxy<number> | ArrayProxy<bigint>> {
    // Overloads rather than a type parameter: `[1, 2, 3]` must make an ArrayProxy<number>, not of the literals 1 | 2 | 3.
    return this.create('Array', typecode, sequence) as unknown as Promise<ArrayProxy<number>>;
  }

  /**
   * A new queue. Python: `Queue(maxsize=0)`. @param maxsize - 0: unbounded @returns its proxy
   * @example
   * ```ts
   * const q = await manager.Queue<string>();
   * ```
   */
  Queue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    return this.create('Queue', maxsize) as unknown as Promise<QueueProxy<T>>;
  }

  /**
   * A new joinable queue. Python: `JoinableQueue(maxsize=0)`. @param maxsize - 0: unbounded @returns its proxy
   * @example
   * ```ts
   * const q = await manager.JoinableQueue();
   * ```
   */
  JoinableQueue<T = unknown>(maxsize = 0): Promise<JoinableQueueProxy<T>> {
    return this.create('JoinableQueue', maxsize) as unknown as Promise<JoinableQueueProxy<T>>;
  }

  /**
   * A new Lock. Python: `Lock()`. @returns its proxy
   * @example
   * ```ts
   * const lock = await manager.Lock();
   * ```
   */
  Lock(): Promise<LockProxy> {
    return this.create('Lock') as unknown as Promise<LockProxy>;
  }

  /**
   * A new RLock. Python: `RLock()`. @returns its proxy
   * @example
   * ```ts
   * const rlock = await manager.RLock();
   * ```
   */
  RLock(): Promise<RLockProxy> {
    return this.create('RLock') as unknown as Promise<RLockProxy>;
  }

  /**
   * A new Semaphore. Python: `Semaphore(value=1)`. @param value - initial value @returns its proxy
   * @example
   * ```ts
   * const sem = await manager.Semaphore(3);
   * ```
   */
  Semaphore(value = 1): Promise<SemaphoreProxy> {
    return this.create('Semaphore', value) as unknown as Promise<SemaphoreProxy>;
  }

  /**
   * A new BoundedSemaphore. Python: `BoundedSemaphore(value=1)`. @param value - initial (and highest) value @returns its proxy
   * @example
   * ```ts
   * const sem = await manager.BoundedSemaphore(3);
   * ```
   */
  BoundedSemaphore(value = 1): Promise<SemaphoreProxy> {
    return this.create('BoundedSemaphore', value) as unknown as Promise<SemaphoreProxy>;
  }

  /**
   * A new Event. Python: `Event()`. @returns its proxy
   * @example
   * ```ts
   * const event = await manager.Event();
   * ```
   */
  Event(): Promise<EventProxy> {
    return this.create('Event') as unknown as Promise<EventProxy>;
  }

  /**
   * A new Condition. Python: `Condition(lock=None)`. @param lock - a Lock or RLock of this manager @defaultValue a new RLock @returns its proxy
   * @example
   * ```ts
   * const cond = await manager.Condition();
   * ```
   */
  Condition(lock?: LockProxy | RLockProxy): Promise<ConditionProxy> {
    return this.create('Condition', ...(lock === undefined ? [] : [lock])) as unknown as Promise<ConditionProxy>;
  }

  /**
   * A new Barrier. Python: `Barrier(parties, action=None, timeout=None)` (no action). @param parties - how many wait @param timeout - default wait timeout, ms @returns its proxy
   * @example
   * ```ts
   * const barrier = await manager.Barrier(4);
   * ```
   */
  Barrier(parties: number, timeout?: number): Promise<BarrierProxy> {
    return this.create('Barrier', parties, ...(timeout === undefined ? [] : [timeout])) as unknown as Promise<BarrierProxy>;
  }
}
