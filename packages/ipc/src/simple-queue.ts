import { inspect } from 'node:util';
import { defineShared, share, type ShareContext, type SharedState } from '@mp/core';
import { ClosedError } from './errors.js';
import { adoptQueue, channelOf, Queue, type QueueState } from './queue.js';

const TYPE = '@mp/ipc.SimpleQueue';

/** Set by the revive function just before `new`: the constructor then wraps this queue. */
let wrapping: Queue<unknown> | undefined;

/**
 * An unbounded queue with only the essentials: `put`, `get`, `empty`, `close`.
 * Same guarantees as {@link Queue} (exactly once, FIFO per producer, shared
 * objects by identity).
 *
 * Python: `multiprocessing.SimpleQueue`.
 *
 * @typeParam T - the items
 * @example
 * ```ts
 * const q = new SimpleQueue<string>();
 * q.put('hello');
 * console.log(await q.get()); // 'hello'
 * ```
 */
export class SimpleQueue<T = unknown> {
  static {
    defineShared<QueueState>(TYPE, (state) => {
      wrapping = adoptQueue(Queue, state.control);
      try {
        return new SimpleQueue();
      } finally {
        wrapping = undefined;
      }
    });
  }

  readonly #queue: Queue<T>;
  #closed = false;

  /** Makes an empty, unbounded queue. */
  constructor() {
    this.#queue = (wrapping as Queue<T> | undefined) ?? new Queue<T>();
    wrapping = undefined;
  }

  /**
   * Puts an item. Never waits for room (the queue is unbounded): once it
   * returns, the item is in the queue.
   *
   * Python: `put(obj)`.
   *
   * @param item - any structured-cloneable value (shared `@mp` objects travel by identity)
   * @throws {@link ClosedError} after {@link SimpleQueue.close}
   * @throws DataCloneError naming what inside `item` cannot be cloned
   * @example
   * ```ts
   * q.put([1, 2, 3]);
   * ```
   */
  put(item: T): void {
    this.#check('put');
    this.#queue.putSync(item);
  }

  /**
   * Takes the next item, waiting until there is one.
   *
   * Python: `get()`.
   *
   * @returns the item
   * @throws {@link ClosedError} (rejection) after {@link SimpleQueue.close}
   * @example
   * ```ts
   * const item = await q.get();
   * ```
   */
  get(): Promise<T> {
    try {
      this.#check('get');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.#queue.get();
  }

  /**
   * Takes the next item, blocking the calling thread until there is one.
   *
   * Python: `get()`.
   *
   * @returns the item
   * @throws {@link ClosedError} after {@link SimpleQueue.close}
   * @example
   * ```ts
   * const item = q.getSync();
   * ```
   */
  getSync(): T {
    this.#check('get');
    return this.#queue.getSync();
  }

  /**
   * Whether the queue holds no item now.
   *
   * Python: `empty()`.
   *
   * @returns true when empty
   * @throws {@link ClosedError} after {@link SimpleQueue.close}
   * @example
   * ```ts
   * new SimpleQueue().empty(); // true
   * ```
   */
  empty(): boolean {
    this.#check('empty');
    return this.#queue.empty();
  }

  /**
   * Closes this object: later calls on it throw {@link ClosedError}; a `get`
   * waiting on it is woken with that error. Copies elsewhere keep working.
   * Calling it again does nothing.
   *
   * Python: `close()`.
   *
   * @example
   * ```ts
   * q.close();
   * q.close(); // fine
   * ```
   */
  close(): void {
    this.#closed = true;
    this.#queue.close();
  }

  #check(what: string): void {
    if (this.#closed) {
      throw new ClosedError(
        `SimpleQueue is closed: ${what}() cannot be used on a queue object after its close(). ` +
          'Copies of the queue in other threads still work.',
      );
    }
  }

  /** @internal The shared-object protocol: the queue travels by identity. */
  [share](context: ShareContext): SharedState {
    return { ...this.#queue[share](context), type: TYPE };
  }

  /** Python's repr: `<SimpleQueue qsize=0>`. */
  toString(): string {
    return `<SimpleQueue qsize=${channelOf(this.#queue).size()}${this.#closed ? ' closed' : ''}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
