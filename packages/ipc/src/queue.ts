import { inspect } from 'node:util';
import { defineShared, share, type ShareContext, type Shareable, type SharedRegion, type SharedState } from '@mp/core';
import { describe } from '@mp/core/internal';
import { ClosedError, EmptyError, FullError } from './errors.js';
import { Channel, type Prepared, type PutResult } from './internal/channel.js';
import { expired, toDeadline } from './internal/deadline.js';
import { decodeIncoming, detach, encodeValue, type Incoming } from './internal/item-codec.js';
import { createChannel } from './internal/queue-memory.js';
import { runAsync, runSync } from './internal/waiting.js';

const TYPE = '@mp/ipc.Queue';
const CLOSED = 'closed';
/** The largest `maxsize`: sizes are 32-bit counters. */
const MAX_MAXSIZE = 2 ** 31 - 1;

/** What a queue turns into when it travels. */
export interface QueueState {
  readonly control: SharedRegion;
}

/** Set by a revive function just before `new`: the constructor then adopts this channel. */
let adopting: Channel | undefined;

/** @internal Builds a queue object of `Class` over an existing channel (revival in another isolate). */
export function adoptQueue<Q>(Class: new () => Q, control: SharedRegion): Q {
  adopting = new Channel(control);
  try {
    return new Class();
  } finally {
    adopting = undefined;
  }
}

const channels = new WeakMap<object, Channel>();

/** @internal The channel under a queue, for the other classes of this package. */
export function channelOf(queue: object): Channel {
  const channel = channels.get(queue);
  if (!channel) throw new TypeError(`Expected a queue made by @mp/ipc, got ${describe(queue)}`);
  return channel;
}

function toMaxsize(maxsize: unknown): number {
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) {
    throw new TypeError(`Expected \`maxsize\` to be an integer (0 for no limit), got ${describe(maxsize)}`);
  }
  if (maxsize > MAX_MAXSIZE) {
    throw new RangeError(`Expected \`maxsize\` to be at most ${MAX_MAXSIZE} (or 0 for no limit), got ${describe(maxsize)}`);
  }
  // Python: maxsize <= 0 means no limit.
  return Math.max(0, maxsize);
}

/** `' within 5 ms'`; nothing for no limit (a zero or negative timeout, which does not wait, has its own message). */
function waited(timeout: number | undefined): string {
  return timeout === undefined ? '' : ` within ${timeout} ms`;
}

function items(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}

/**
 * A first-in, first-out queue shared by the main program and its children,
 * threads and processes alike: any number of producers and consumers, each
 * item delivered exactly once, in the order each producer put them.
 *
 * Items are copied by structured clone (`v8.serialize`), except shared `@mp`
 * objects (locks, queues, connections…), which arrive by identity. The queue
 * itself travels by identity to children: pass it in `args`.
 *
 * Python: `multiprocessing.Queue`.
 *
 * @typeParam T - the items
 * @example
 * {@includeCode ../../../apps/examples/src/queue.ts#main}
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  static {
    defineShared<QueueState>(TYPE, (state) => adoptQueue(Queue, state.control));
  }

  readonly #channel: Channel;
  #closed = false;

  /**
   * @param maxsize - the most items it holds; `0` (or negative) for no limit
   * @defaultValue `maxsize` 0
   * @throws TypeError when `maxsize` is not an integer
   * @throws RangeError when `maxsize` exceeds 2³¹ − 1
   */
  constructor(maxsize = 0) {
    if (adopting) {
      this.#channel = adopting;
      adopting = undefined;
    } else {
      this.#channel = createChannel(toMaxsize(maxsize));
    }
    channels.set(this, this.#channel);
  }

  /**
   * Puts an item, waiting while a bounded queue is full, or while shared
   * memory has no space for a large item (an item of any size is accepted:
   * one larger than a part — 4 MiB, or 1/16 of the arena — is copied in part
   * by part as consumers read it, so one larger than the arena makes the put
   * wait for a consumer). Once the promise resolves, the item is in the
   * queue, after this producer's earlier items.
   *
   * Python: `put(obj, block=True, timeout=None)`.
   *
   * @param item - any structured-cloneable value (shared `@mp` objects travel by identity)
   * @param timeout - milliseconds to wait for room; `undefined` = no limit, `0` = do not wait
   * @throws {@link FullError} (rejection) when the queue stayed full, or no space was made for the item, for `timeout` ms
   * @throws {@link ClosedError} (rejection) after {@link Queue.close}
   * @throws DataCloneError (rejection) naming what inside `item` cannot be cloned
   * @example
   * ```ts
   * await q.put({ url: 'https://example.com' });
   * ```
   */
  async put(item: T, timeout?: number): Promise<void> {
    const pending = this.#startPut(item, timeout, false);
    if (pending) this.#finishPut(pending, await runAsync(this.#channel.put(pending.prepared, pending.deadline)));
  }

  /**
   * Puts an item, blocking the calling thread while a bounded queue is full,
   * or while shared memory has no space for a large item (see {@link Queue.put}:
   * an item larger than the arena needs a consumer in another thread).
   *
   * Python: `put(obj, block=True, timeout=None)`.
   *
   * @param item - any structured-cloneable value (shared `@mp` objects travel by identity)
   * @param timeout - milliseconds to wait for room; `undefined` = no limit, `0` = do not wait
   * @throws {@link FullError} when the queue stayed full, or no space was made for the item, for `timeout` ms
   * @throws {@link ClosedError} after {@link Queue.close}
   * @throws DataCloneError naming what inside `item` cannot be cloned
   * @example
   * ```ts
   * q.putSync('hello');
   * ```
   */
  putSync(item: T, timeout?: number): void {
    const pending = this.#startPut(item, timeout, true);
    if (pending) this.#finishPut(pending, runSync(this.#channel.put(pending.prepared, pending.deadline)));
  }

  /**
   * Puts an item if there is room now.
   *
   * Python: `put_nowait(obj)` / `put(obj, False)`.
   *
   * @param item - any structured-cloneable value
   * @throws {@link FullError} when a bounded queue is full, or shared memory has no space for the item now
   * @throws {@link ClosedError} after {@link Queue.close}
   * @example
   * ```ts
   * q.putNowait(1);
   * ```
   */
  putNowait(item: T): void {
    this.putSync(item, 0);
  }

  /** The fast path of every put: returns what is left to do, or undefined when done. */
  #startPut(item: T, timeout: number | undefined, sync: boolean): PendingPut | undefined {
    this.#checkOpen('put');
    const deadline = toDeadline(timeout);
    const channel = this.#channel;
    const prepared = channel.prepare(encodeValue(item, 'item'));
    const first = channel.tryPut(prepared);
    if (first === 'ok') return undefined;
    // The item waits: copy its bytes now, so that the caller may reuse its buffer while a put() is pending
    // (a putSync() holds the caller until it is done).
    const waiting = prepared.region || sync ? prepared : { ...prepared, item: detach(prepared.item) };
    const pending: PendingPut = { prepared: waiting, deadline, timeout };
    if (first === 'full' && expired(deadline)) this.#finishPut(pending, 'full');
    return pending;
  }

  #finishPut(pending: PendingPut, result: PutResult): void {
    if (result === 'ok') return;
    this.#channel.discard(pending.prepared);
    if (!this.#channel.isFull()) {
      // Not the item count: shared memory had no space for this item.
      throw new FullError(
        `Queue is full: shared memory has no space for this ${pending.prepared.item.size}-byte item ` +
          `(the items waiting in queues and pipes hold it)${pending.timeout !== undefined && pending.timeout <= 0 ? ' now' : `, and none was freed${waited(pending.timeout)}`}. ` +
          'Wait longer (put without a timeout) while consumers read, catch FullError, or reserve more with MP_SHARED_MEMORY_BYTES.',
      );
    }
    const full = `Queue is full: it holds its maxsize of ${items(this.#channel.maxsize)}`;
    throw new FullError(
      pending.timeout !== undefined && pending.timeout <= 0
        ? `${full} and has no room now. Use put() to wait for room, or catch FullError.`
        : `${full} and no room was made${waited(pending.timeout)}. Wait longer (put without a timeout), or catch FullError.`,
    );
  }

  /**
   * Takes the next item, waiting until there is one.
   *
   * Python: `get(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds to wait; `undefined` = no limit, `0` = do not wait
   * @returns the item
   * @throws {@link EmptyError} (rejection) when no item arrived within `timeout` ms
   * @throws {@link ClosedError} (rejection) after {@link Queue.close}
   * @example
   * ```ts
   * const item = await q.get(1_000);
   * ```
   */
  async get(timeout?: number): Promise<T> {
    const deadline = this.#startGet(timeout);
    const fast = this.#channel.takeSoon(deadline);
    if (fast) return decodeIncoming(fast) as T;
    return this.#finishGet(await runAsync(this.#channel.take({ deadline, stop: this.#stop })), timeout);
  }

  /**
   * Takes the next item, blocking the calling thread until there is one.
   *
   * Python: `get(block=True, timeout=None)`.
   *
   * @param timeout - milliseconds to wait; `undefined` = no limit, `0` = do not wait
   * @returns the item
   * @throws {@link EmptyError} when no item arrived within `timeout` ms
   * @throws {@link ClosedError} after {@link Queue.close}
   * @example
   * ```ts
   * const item = q.getSync();
   * ```
   */
  getSync(timeout?: number): T {
    const deadline = this.#startGet(timeout);
    const fast = this.#channel.takeSoon(deadline);
    if (fast) return decodeIncoming(fast) as T;
    return this.#finishGet(runSync(this.#channel.take({ deadline, stop: this.#stop })), timeout);
  }

  /**
   * Takes the next item if there is one now.
   *
   * Python: `get_nowait()` / `get(False)`.
   *
   * @returns the item
   * @throws {@link EmptyError} when the queue is empty
   * @throws {@link ClosedError} after {@link Queue.close}
   * @example
   * ```ts
   * try { handle(q.getNowait()); } catch (error) { if (!(error instanceof EmptyError)) throw error; }
   * ```
   */
  getNowait(): T {
    return this.getSync(0);
  }

  #startGet(timeout: number | undefined): number {
    this.#checkOpen('get');
    return toDeadline(timeout);
  }

  readonly #stop = (): string | undefined => (this.#closed ? CLOSED : undefined);

  #finishGet(result: Incoming | string | undefined, timeout: number | undefined): T {
    if (result === undefined) {
      throw new EmptyError(
        timeout !== undefined && timeout <= 0
          ? 'Queue is empty: no item to take now. Use get() to wait for one, or catch EmptyError.'
          : `Queue is empty: no item arrived${waited(timeout)}. Wait longer, or catch EmptyError.`,
      );
    }
    if (typeof result === 'string') this.#checkOpen('get');
    return decodeIncoming(result as Incoming) as T;
  }

  /**
   * The number of items in the queue now (exact at the instant it is read;
   * other threads may change it right after).
   *
   * Python: `qsize()`.
   *
   * @returns items put and not yet taken
   * @example
   * ```ts
   * q.putSync(1);
   * q.qsize(); // 1
   * ```
   */
  qsize(): number {
    return this.#channel.size();
  }

  /**
   * Whether the queue holds no item now.
   *
   * Python: `empty()`.
   *
   * @returns `qsize() === 0`
   * @example
   * ```ts
   * new Queue().empty(); // true
   * ```
   */
  empty(): boolean {
    return this.#channel.size() === 0;
  }

  /**
   * Whether a bounded queue holds `maxsize` items now (always false without a limit).
   *
   * Python: `full()`.
   *
   * @returns `qsize() >= maxsize`
   * @example
   * ```ts
   * const q = new Queue(1);
   * q.putSync(1);
   * q.full(); // true
   * ```
   */
  full(): boolean {
    return this.#channel.isFull();
  }

  /**
   * Closes this queue object: later `put`s and `get`s on it throw
   * {@link ClosedError}, and a `get` waiting on it is woken with that error.
   * Items already put stay in the queue; copies of the queue in other threads
   * keep working. Calling it again does nothing.
   *
   * Python: `close()`.
   *
   * @example
   * ```ts
   * q.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.wakeAll();
  }

  /**
   * Iterates over the items as they arrive (`for await (const item of q)`),
   * until this object is closed.
   *
   * Python: no equivalent (`iter(q.get, sentinel)`).
   *
   * @returns an async iterator of the items
   * @example
   * ```ts
   * for await (const item of q) if (item === null) break; else console.log(item);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    while (!this.#closed) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof ClosedError) return;
        throw error;
      }
      yield item;
    }
  }

  /** @internal The shared-object protocol: the queue travels by identity. */
  [share](context: ShareContext): SharedState {
    // The control region travels in the state: the codec shares it, which refuses destinations
    // without shared memory (StartMethodError) and keeps the memory alive while the copy travels.
    return { type: TYPE, module: import.meta.url, state: { control: this.#channel.control } satisfies QueueState };
  }

  #checkOpen(what: string): void {
    if (this.#closed) {
      throw new ClosedError(
        `Queue is closed: ${what}() cannot be used on a queue object after its close(). ` +
          'Copies of the queue in other threads still work; close() only the object you are done with.',
      );
    }
  }

  /** Python's repr: `<Queue maxsize=0 qsize=2>`. */
  toString(): string {
    const closed = this.#closed ? ' closed' : '';
    return `<${this.constructor.name} maxsize=${this.#channel.maxsize} qsize=${this.qsize()}${closed}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}

interface PendingPut {
  readonly prepared: Prepared;
  readonly deadline: number;
  readonly timeout: number | undefined;
}
