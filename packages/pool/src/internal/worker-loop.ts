import type { TaskRef } from '@mp/core';
import { decode, discard, encode, loadFunction, whileBootstrapping, parentChannel, type Channel, type Encoded, type SharedTable } from '@mp/core/internal';
import { toRecord, type ErrorRecord } from './error-record.js';
import { marksInUse } from './moves.js';
import { PACK_MIN, sharedItems, unpackNumbers } from './numbers.js';
import {
  DONE,
  EXIT,
  FATAL,
  INIT_FAILED,
  MODE_APPLY,
  MODE_MAP_SHARED,
  MODE_STARMAP,
  READY,
  RESULT_ERROR,
  RESULT_IN_PLACE,
  RESULT_NUMBERS,
  RESULT_PARTIAL,
  RESULT_VALUE,
  RESULT_WIDTH,
  RUN,
  STOP,
  CANCEL,
  TASK_WIDTH,
  type Mode,
  type WorkerConfig,
} from './protocol.js';

/**
 * The worker side of a pool (host side: `internal/worker-slot.ts`). Runs the
 * initializer, then the tasks the pool sends, one at a time and in the order
 * received — so results go back in that order, which is what lets the host
 * match them without a lookup table, and lets it know which task was running
 * when a worker dies (the oldest one it has not answered).
 */

/** Results finished within this long of the last message are sent together. */
const FLUSH_INTERVAL_MS = 2;
/** Queue elements run before the queue is compacted. */
const COMPACT_AT = 4_096 * TASK_WIDTH;

type Fn = (...args: unknown[]) => unknown;

/** A result: `[id, kind, payload, extra]` (see protocol.ts). */
type Result = [number, number, unknown, unknown];
type ItemErrors = Array<readonly [number, ErrorRecord]>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function failure(id: number, error: unknown): Result {
  return [id, RESULT_ERROR, toRecord(error), 0];
}

class WorkerLoop {
  readonly #channel: Channel;
  readonly #config: WorkerConfig;
  /** Task functions by the id the host gave them; `#loaded[id]` once imported. */
  readonly #refs: TaskRef[] = [];
  readonly #loaded: Array<Fn | undefined> = [];
  /** Tasks received and not yet run, flat: {@link TASK_WIDTH} elements each. */
  #queue: unknown[] = [];
  #head = 0;
  #running = false;
  #stopping = false;
  /** Ids of received tasks the pool cancelled before they started: skipped. */
  readonly #cancelled = new Set<number>();
  /** The next DONE message, being filled. */
  #out: unknown[] = [DONE, 0, 0];
  /** The buffers its results transfer (`move()` under `'thread'`); `undefined` when none. */
  #outTransfer: ArrayBuffer[] | undefined;
  #busy = 0;
  #timed = 0;
  #lastFlush = 0;
  #finish: () => void = () => {};

  constructor(channel: Channel, config: WorkerConfig) {
    this.#channel = channel;
    this.#config = config;
  }

  post(message: unknown[], transfer?: readonly ArrayBuffer[]): void {
    this.#channel.post(message, transfer);
  }

  /** Resolves once the pool told this worker to stop and every task it got is answered. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.#channel.on((message) => this.#receive(message as unknown[]));
      this.#finish = () => {
        off();
        resolve();
      };
    });
  }

  #receive(message: unknown[]): void {
    if (message[0] === RUN) {
      const defs = message[1] as 0 | Array<[number, string, string]>;
      if (defs) for (const [id, module, name] of defs) this.#refs[id] = { module, name };
      const queue = this.#queue;
      for (let i = 2; i < message.length; i++) queue.push(message[i]);
      if (!this.#running) void this.#drain();
    } else if (message[0] === CANCEL) {
      this.#cancelled.add(message[1] as number);
    } else if (message[0] === STOP) {
      this.#stopping = true;
      if (!this.#running) this.#finish();
    }
  }

  async #drain(): Promise<void> {
    this.#running = true;
    this.#lastFlush = performance.now();
    const queue = this.#queue;
    const { progress } = this.#config;
    while (this.#head < queue.length) {
      if (this.#head >= COMPACT_AT) {
        // Fed while it runs, the queue never empties: drop what was run.
        queue.splice(0, this.#head);
        this.#head = 0;
      }
      const at = this.#head;
      this.#head += TASK_WIDTH;
      const id = queue[at] as number;
      const fnId = queue[at + 1] as number;
      const mode = queue[at + 2] as Mode;
      const args = queue[at + 3];
      const shared = queue[at + 4] as SharedTable | false;
      // Counted before anything of the task runs (its arguments are not even revived yet): if this
      // worker dies from here on, the host knows the task started, and does not run it again.
      if (progress) Atomics.add(progress, 0, 1);
      if (this.#cancelled.size > 0 && this.#cancelled.delete(id)) {
        // Answered, so that the pool's in-order matching of results holds; nobody reads it.
        this.#out.push(...failure(id, new Error('cancelled')));
        // Its arguments will never be revived: the shared objects in them stop holding memory.
        if (shared) discard({ value: args, shared });
        continue;
      }
      const started = performance.now();
      const fn = this.#loaded[fnId];
      const result = fn && !shared ? this.#call(id, mode, fn, args) : this.#callAsync(id, mode, fnId, { value: args, shared });
      const done = isThenable(result) ? await result : result;
      this.#out.push(done[0], done[1], done[2], done[3]);
      const now = performance.now();
      if (fn) {
        this.#busy += now - started;
        this.#timed++;
      }
      // Without the shared counter, each result goes out before the next task starts (see WorkerConfig.progress).
      if (!progress || now - this.#lastFlush >= FLUSH_INTERVAL_MS) this.#flush(now);
    }
    this.#queue = [];
    this.#head = 0;
    // Every task received has run or been skipped: ids left are of tasks that had finished when their CANCEL came.
    this.#cancelled.clear();
    this.#flush(performance.now());
    this.#running = false;
    if (this.#stopping) this.#finish();
  }

  #flush(now: number): void {
    this.#lastFlush = now;
    const message = this.#out;
    if (message.length === 3) return;
    message[1] = this.#busy;
    message[2] = this.#timed;
    const transfer = this.#outTransfer;
    this.#out = [DONE, 0, 0];
    this.#outTransfer = undefined;
    this.#busy = 0;
    this.#timed = 0;
    try {
      this.post(message, transfer);
    } catch {
      // Something in a result could not be cloned by the transport (encode()
      // catches functions and symbols, not everything): send the results one by
      // one, and replace each one that still fails by the error it raises.
      // Nothing was transferred by the failed post; these copy instead.
      for (let i = 3; i < message.length; i += RESULT_WIDTH) {
        const result = message.slice(i, i + RESULT_WIDTH) as Result;
        try {
          this.post([DONE, 0, 0, ...this.#sendable(result)]);
        } catch (error) {
          this.post([DONE, 0, 0, ...failure(result[0], cloneError(error, 'the result'))]);
        }
      }
    }
  }

  #sendable(result: Result): Result {
    const [id, kind, payload, extra] = result;
    if (kind === RESULT_ERROR || kind === RESULT_NUMBERS || kind === RESULT_IN_PLACE) return result;
    try {
      probe(payload, this.#config.method);
      return result;
    } catch (error) {
      if (!Array.isArray(payload)) return failure(id, cloneError(error, 'the result'));
      const values = [...(payload as unknown[])];
      const [shared, errors]: [SharedTable | false, ItemErrors] =
        kind === RESULT_PARTIAL ? [...(extra as [SharedTable | false, ItemErrors])] : [extra as SharedTable | false, []];
      const found = [...errors];
      values.forEach((value, i) => {
        try {
          probe(value, this.#config.method);
        } catch (itemError) {
          values[i] = undefined;
          found.push([i, toRecord(cloneError(itemError, `the result of item ${i}`))]);
        }
      });
      return [id, RESULT_PARTIAL, values, [shared, found]];
    }
  }

  /** The slow path: the function must be imported first, or the arguments hold shared objects to revive. */
  async #callAsync(id: number, mode: Mode, fnId: number, args: Encoded): Promise<Result> {
    let fn: Fn;
    let value: unknown;
    try {
      fn = this.#loaded[fnId] ?? (await this.#load(fnId));
      value = args.shared ? await decode(args) : args.value;
    } catch (error) {
      return failure(id, error);
    }
    const result = this.#call(id, mode, fn, value);
    return isThenable(result) ? await result : result;
  }

  async #load(fnId: number): Promise<Fn> {
    const ref = this.#refs[fnId];
    if (!ref) throw new Error(`Pool protocol error: task function #${fnId} was never defined`);
    // Importing the task's module runs its top-level code here: that code must
    // not start children (a `new Pool()` there would start pools for ever).
    const fn = (await whileBootstrapping(() => loadFunction(ref, 'Pool task'))) as Fn;
    this.#loaded[fnId] = fn;
    return fn;
  }

  /** Runs one task; synchronous all the way for a synchronous function. */
  #call(id: number, mode: Mode, fn: Fn, args: unknown): Result | Promise<Result> {
    if (mode === MODE_APPLY) {
      let value: unknown;
      try {
        value = fn(...(args as unknown[]));
      } catch (error) {
        return failure(id, error);
      }
      if (isThenable(value)) {
        return Promise.resolve(value).then(
          (resolved) => this.#valueResult(id, resolved),
          (error: unknown) => failure(id, error),
        );
      }
      return this.#valueResult(id, value);
    }
    // An array, or a Float64Array when the host packed a chunk of numbers, or a view of the block of shared
    // memory that holds them (numbers.ts): read the same way.
    const inPlace = mode === MODE_MAP_SHARED;
    const arena = this.#config.progress?.buffer;
    if (inPlace && !(arena instanceof SharedArrayBuffer)) return failure(id, new Error('Pool protocol error: a chunk in shared memory sent to a worker without shared memory'));
    const items = inPlace ? sharedItems(arena as SharedArrayBuffer, args as [number, number]) : (args as ArrayLike<unknown>);
    const star = mode === MODE_STARMAP;
    const length = items.length;
    // While every result is a number, they go into one Float64Array that crosses as one block (RESULT_NUMBERS),
    // or over their items in the shared block (RESULT_IN_PLACE: item i is read before result i is written).
    let packed = inPlace ? (items as Float64Array) : !star && length >= PACK_MIN ? new Float64Array(length) : undefined;
    // Otherwise filled with push(): a packed array clones several times faster than a holey one.
    let values: unknown[] = [];
    let errors: ItemErrors | undefined;
    for (let i = 0; i < length; i++) {
      let value: unknown;
      try {
        value = star ? fn(...(items[i] as unknown[])) : fn(items[i]);
      } catch (error) {
        if (packed) {
          values = unpackNumbers(packed, i);
          packed = undefined;
        }
        (errors ??= []).push([i, toRecord(error)]);
        values.push(undefined);
        continue;
      }
      if (packed) {
        if (typeof value === 'number') {
          packed[i] = value;
          continue;
        }
        values = unpackNumbers(packed, i);
        packed = undefined;
      }
      // An async task: finish this chunk asynchronously, still one item at a time.
      if (isThenable(value)) return this.#finishChunkAsync(id, star, fn, items, values, errors ?? [], i, value);
      values.push(value);
    }
    if (packed) return inPlace ? [id, RESULT_IN_PLACE, 0, 0] : [id, RESULT_NUMBERS, packed, 0];
    return this.#chunkResult(id, values, errors);
  }

  async #finishChunkAsync(
    id: number,
    star: boolean,
    fn: Fn,
    items: ArrayLike<unknown>,
    values: unknown[],
    errors: ItemErrors,
    index: number,
    pending: PromiseLike<unknown>,
  ): Promise<Result> {
    for (let i = index; i < items.length; i++) {
      try {
        values.push(i === index ? await pending : await (star ? fn(...(items[i] as unknown[])) : fn(items[i])));
      } catch (error) {
        errors.push([i, toRecord(error)]);
        values.push(undefined);
      }
    }
    return this.#chunkResult(id, values, errors.length > 0 ? errors : undefined);
  }

  #context(): { crossProcess: boolean; startMethod: 'thread' | 'process' } {
    return { crossProcess: this.#config.method === 'process', startMethod: this.#config.method };
  }

  /**
   * The value of a `move()` mark (its buffers added to the next message's transfer list under
   * `'thread'`), or `value` itself. Looked for only once some `move()` ran in this worker.
   */
  #unmark(value: unknown): unknown {
    const marks = marksInUse();
    const mark = marks !== undefined && typeof value === 'object' && value !== null ? marks.get(value) : undefined;
    if (!mark) return value;
    if (this.#config.method === 'thread') (this.#outTransfer ??= []).push(...mark.transfer);
    return mark.value;
  }

  #valueResult(id: number, value: unknown): Result {
    let encoded: Encoded;
    value = this.#unmark(value);
    try {
      encoded = encode(value, this.#context(), 'result');
    } catch (error) {
      return failure(id, error);
    }
    return [id, RESULT_VALUE, encoded.value, encoded.shared];
  }

  #chunkResult(id: number, values: unknown[], errors: ItemErrors | undefined): Result {
    let encoded: Encoded;
    if (marksInUse()) for (let i = 0; i < values.length; i++) values[i] = this.#unmark(values[i]);
    try {
      encoded = encode(values, this.#context(), 'result');
    } catch {
      // Find the items whose results cannot travel; only those fail.
      const kept = [...values];
      const found = [...(errors ?? [])];
      for (let i = 0; i < kept.length; i++) {
        try {
          encode(kept[i], this.#context(), 'result');
        } catch (error) {
          kept[i] = undefined;
          found.push([i, toRecord(error)]);
        }
      }
      return this.#chunkResult(id, kept, found);
    }
    return errors ? [id, RESULT_PARTIAL, encoded.value, [encoded.shared, errors]] : [id, RESULT_VALUE, encoded.value, encoded.shared];
  }
}

/**
 * The clone check of the transport: `v8.serialize` for IPC, `structuredClone` for threads.
 * `node:v8` is looked up here, not imported: a thread worker would load it for nothing at its start.
 */
function probe(value: unknown, method: 'thread' | 'process'): void {
  if (method === 'process') process.getBuiltinModule('node:v8').serialize(value);
  else structuredClone(value);
}

function cloneError(error: unknown, what: string): Error {
  const cause = error instanceof Error ? error.message : String(error);
  const result = new Error(`${what} cannot be sent back to the pool: ${cause}. Return plain data (structured-clonable values).`, { cause: error });
  result.name = 'DataCloneError';
  return result;
}

/** Tells the pool why this worker is about to die, when it can still tell. */
function installNotices(post: (message: unknown[]) => void): () => void {
  // Prepended, so that it runs before the handler of @mp/core, which reports
  // the error on stderr and exits.
  const onError = (error: unknown) => {
    try {
      post([FATAL, toRecord(error)]);
    } catch {
      // Nothing more can be said.
    }
  };
  const onExit = (code: number) => {
    try {
      post([EXIT, code]);
    } catch {
      // Nothing more can be said.
    }
  };
  process.prependListener('uncaughtException', onError);
  process.on('exit', onExit);
  return () => {
    process.off('uncaughtException', onError);
    process.off('exit', onExit);
  };
}

/**
 * The target of every pool worker: runs the initializer, tells the pool it is
 * ready, then serves tasks until the pool says stop.
 *
 * @param config - the start method and the initializer
 * @param initargs - the initializer's arguments
 */
export async function poolWorker(config: WorkerConfig, initargs: unknown[]): Promise<void> {
  const channel = parentChannel();
  if (!channel) throw new Error('poolWorker() is the target of @mp/pool workers: it runs only in a worker started by a Pool');
  const loop = new WorkerLoop(channel, config);
  const uninstall = installNotices((message) => loop.post(message));
  const initRef = config.initializer;
  if (initRef) {
    try {
      const initializer = await whileBootstrapping(() => loadFunction(initRef, 'Pool initializer'));
      await initializer(...initargs);
    } catch (error) {
      loop.post([INIT_FAILED, toRecord(error)]);
      uninstall();
      throw error; // @mp/core prints it on stderr, as Python prints the initializer's traceback, and exits 1
    }
  }
  loop.post([READY]);
  await loop.run();
  uninstall();
}
