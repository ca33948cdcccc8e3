import { inspect } from 'node:util';
import { cpuCount, getContext, isTaskRef, StartMethodError, type StartMethod, type TaskRef } from '@mp/core';
import { assertNotBootstrapping, checkOptions, describe, toTaskRef } from '@mp/core/internal';
import { AsyncResult, type AsyncResultCallbacks } from './async-result.js';
import { ApplyJob } from './internal/apply-job.js';
import { ImapJob } from './internal/imap-job.js';
import { MapJob } from './internal/map-job.js';
import { PACKAGE_ROOT } from './internal/paths.js';
import { MODE_APPLY, MODE_MAP, MODE_STARMAP } from './internal/protocol.js';
import { Scheduler } from './internal/scheduler.js';
import type { ResourceLimits } from './internal/worker-slot.js';

/** A task function: exported by the module that calls the Pool method, or named with `ref(module, name)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFunction<A extends readonly unknown[] = any[], R = unknown> = ((...args: A) => R | PromiseLike<R>) | TaskRef;

/** Options of {@link Pool}. */
export interface PoolOptions {
  /** Number of workers. @defaultValue `cpuCount()`() (also for `null`, as Python's `None`) */
  processes?: number | null | undefined;
  /** Runs once in each worker before its first task (exported by the calling module, or a `ref`). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  initializer?: Function | TaskRef | undefined;
  /** Arguments of the initializer (shared `@mp` objects travel by identity under `'thread'`). */
  initargs?: readonly unknown[] | undefined;
  /** Replace a worker after it ran this many tasks (a `map` chunk counts as one). @defaultValue no limit */
  maxtasksperchild?: number | undefined;
  /** The start method of the workers, or a context from `getContext()`. @defaultValue the default start method */
  context?: { readonly startMethod: StartMethod } | StartMethod | undefined;
  /**
   * V8 heap limits of each worker (`'thread'` only: Node's `Worker` `resourceLimits`).
   * A worker that reaches them dies; its task fails with a {@link WorkerLostError}.
   * Not in Python.
   */
  resourceLimits?: ResourceLimits | undefined;
}

/** Options of `applyAsync`, `mapAsync` and `starmapAsync`: Python's `callback` and `error_callback`. */
export type AsyncOptions<R> = AsyncResultCallbacks<R>;

const POOL_OPTIONS = ['processes', 'initializer', 'initargs', 'maxtasksperchild', 'context', 'resourceLimits'] as const satisfies ReadonlyArray<keyof PoolOptions>;
const RESOURCE_LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb'] as const satisfies ReadonlyArray<keyof ResourceLimits>;
const ASYNC_OPTIONS = ['callback', 'errorCallback'] as const satisfies ReadonlyArray<keyof AsyncOptions<unknown>>;

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`Expected \`${what}\` to be a positive integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Expected \`${what}\` to be a positive integer, got ${describe(value)}`);
  return value;
}

function startMethodOf(context: PoolOptions['context']): StartMethod {
  if (context === undefined) return getContext().startMethod;
  const method = typeof context === 'object' && context !== null ? context.startMethod : context;
  return getContext(method as StartMethod).startMethod;
}

/**
 * A pool of worker processes (worker threads or child processes) that run
 * tasks: exported functions, called with the arguments you give, results sent
 * back. Create it, submit work, then `close()` + `join()` — or `terminate()`,
 * which `await using` does for you.
 *
 * Python: `multiprocessing.Pool`.
 *
 * @example
 * {@includeCode ../../../apps/examples/src/pool.ts#main}
 */
export class Pool {
  readonly #scheduler: Scheduler;
  /** Task functions resolved to their module once (finding the caller from the stack is slow). */
  readonly #refs = new WeakMap<object, TaskRef>();

  /**
   * Starts the workers.
   *
   * Python: `Pool(processes=None, initializer=None, initargs=(), maxtasksperchild=None)`.
   *
   * @param options - processes, initializer, initargs, maxtasksperchild, context, resourceLimits
   * @throws RangeError "Number of processes must be at least 1" for `processes < 1`, and for a
   *   `maxtasksperchild` that is not a positive integer
   * @throws TypeError for an unknown option (`{ process: 4 }`: the message names the valid ones), a
   *   non-function `initializer`, `initargs` that is not an array, an unknown start method
   * @throws `ProcessStateError` when called while a child imports the module that calls it (top-level
   *   code of a task's or target's module): create the pool under `if (isMain(import.meta))`
   * @throws `StartMethodError` for `resourceLimits` under `'process'`, or shared memory in `initargs` under `'process'`
   */
  constructor(options: PoolOptions = {}) {
    const { initializer, initargs = [], maxtasksperchild, context, resourceLimits } = checkOptions(options, POOL_OPTIONS, 'Pool');
    const processes = options.processes ?? cpuCount();
    if (typeof processes !== 'number' || Number.isNaN(processes)) {
      throw new TypeError(`Expected \`processes\` to be a number, got ${describe(processes)}`);
    }
    if (processes < 1) throw new RangeError(`Number of processes must be at least 1, got ${describe(processes)}`);
    if (!Number.isInteger(processes)) throw new RangeError(`Expected \`processes\` to be an integer, got ${describe(processes)}`);
    if (maxtasksperchild !== undefined && maxtasksperchild !== null) positiveInteger(maxtasksperchild, 'maxtasksperchild');
    if (initializer !== undefined && initializer !== null && typeof initializer !== 'function' && !isTaskRef(initializer)) {
      throw new TypeError(`Expected \`initializer\` to be an exported function or ref(module, name), got ${describe(initializer)}`);
    }
    if (!Array.isArray(initargs)) throw new TypeError(`Expected \`initargs\` to be an array, got ${describe(initargs)}`);
    const method = startMethodOf(context);
    if (resourceLimits !== undefined) checkOptions(resourceLimits, RESOURCE_LIMITS, 'Pool resourceLimits');
    // Python refuses here too: a module that creates a pool at top level would
    // create one again in every worker that imports it, for ever.
    assertNotBootstrapping('new Pool()');
    if (resourceLimits !== undefined && method !== 'thread') {
      throw new StartMethodError(
        "`resourceLimits` works only with the 'thread' start method: a 'process' worker is a separate Node.js process " +
          "(limit its heap with NODE_OPTIONS=--max-old-space-size instead), got the 'process' start method",
      );
    }
    this.#scheduler = new Scheduler({
      processes,
      method,
      initializer: initializer === undefined || initializer === null ? undefined : toTaskRef(initializer, 'initializer', [PACKAGE_ROOT]),
      initargs,
      maxtasksperchild: maxtasksperchild ?? undefined,
      resourceLimits,
    });
  }

  /** The start method of the workers. */
  get startMethod(): StartMethod {
    return this.#scheduler.method;
  }

  /** The number of workers the pool keeps. */
  get processes(): number {
    return this.#scheduler.processes;
  }

  #ref(fn: unknown): TaskRef {
    if (typeof fn === 'function') {
      let ref = this.#refs.get(fn);
      if (!ref) this.#refs.set(fn, (ref = toTaskRef(fn, 'task', [PACKAGE_ROOT])));
      return ref;
    }
    return toTaskRef(fn, 'task', [PACKAGE_ROOT]);
  }

  #assertRunning(): void {
    if (this.#scheduler.state !== 'run') throw this.#scheduler.notRunning();
  }

  /**
   * Runs `fn(...args)` in a worker and waits for its result.
   *
   * Python: `Pool.apply(func, args=())`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`; may be async
   * @param args - its arguments (structured clone; shared `@mp` objects by identity under `'thread'`)
   * @returns the result
   * @throws (as a rejection) {@link PoolStateError} "Pool not running" after close/terminate; the task's error
   *   (its name, message and the worker's stack); {@link WorkerLostError}; `DataCloneError` for arguments or a result that cannot be sent
   * @example
   * ```ts
   * const nine = await pool.apply(square, [3]);
   * ```
   */
  apply<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, args?: A): Promise<R> {
    try {
      return this.applyAsync(fn, args).get();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Submits `fn(...args)` and returns at once.
   *
   * Python: `Pool.apply_async(func, args=(), kwds={}, callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`; may be async
   * @param args - its arguments
   * @param options - `callback` (with the result) / `errorCallback` (with the error), each called at most once
   * @returns an {@link AsyncResult}
   * @throws {@link PoolStateError} "Pool not running" (synchronously) after close/terminate; TypeError for a bad `fn` or `args`
   * @example
   * ```ts
   * const result = pool.applyAsync(square, [10], { callback: (value) => console.log('done', value) });
   * console.log(await result.get(1_000)); // 100
   * ```
   */
  applyAsync<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, args?: A, options?: AsyncOptions<R>): AsyncResult<R> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    const list = args ?? [];
    if (!Array.isArray(list)) throw new TypeError(`Expected \`args\` to be an array, got ${describe(list)}`);
    const result = new AsyncResult<R>(checkCallbacks(options, 'applyAsync()'));
    this.#scheduler.submit(ref, MODE_APPLY, list, new ApplyJob(result as AsyncResult<unknown>), 0, 1);
    return result;
  }

  /**
   * Calls `fn(item)` for every item, in the workers, and waits for the list of
   * results, in input order. The input is cut in chunks of `chunksize` items
   * (one message each). Every item runs even when some fail; then the error of
   * the first failed item (by position) is thrown.
   *
   * Python: `Pool.map(func, iterable, chunksize=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`; may be async
   * @param iterable - the items (read at once; use {@link Pool.imap} for lazy or async input)
   * @param chunksize - items per task @defaultValue `ceil(length / (4 × processes))`
   * @returns the results, in input order
   * @throws (as a rejection) {@link PoolStateError} "Pool not running"; the first item's error; RangeError for a bad chunksize
   * @example
   * ```ts
   * const squares = await pool.map(square, [1, 2, 3]); // [1, 4, 9]
   * ```
   */
  async map<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T>, chunksize?: number): Promise<R[]> {
    return this.mapAsync(fn, iterable, chunksize).get();
  }

  /**
   * Like {@link Pool.map}, returning at once.
   *
   * Python: `Pool.map_async(func, iterable, chunksize=None, callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items
   * @param chunksize - items per task @defaultValue `ceil(length / (4 × processes))`
   * @param options - `callback` (with the list) / `errorCallback`, each called at most once
   * @returns an {@link AsyncResult} of the list
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * const result = pool.mapAsync(square, [1, 2, 3], undefined, { callback: (list) => console.log(list) });
   * await result.wait();
   * ```
   */
  mapAsync<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T>, chunksize?: number, options?: AsyncOptions<R[]>): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, false) as AsyncResult<R[]>;
  }

  /**
   * Like {@link Pool.map}, with each item an array of arguments: `fn(...item)`.
   *
   * Python: `Pool.starmap(func, iterable, chunksize=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the argument lists
   * @param chunksize - items per task @defaultValue `ceil(length / (4 × processes))`
   * @returns the results, in input order
   * @throws (as a rejection) as {@link Pool.map}; TypeError for an item that is not an array
   * @example
   * ```ts
   * const sums = await pool.starmap(add, [[1, 2], [3, 4]]); // [3, 7]
   * ```
   */
  async starmap<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, iterable: Iterable<A>, chunksize?: number): Promise<R[]> {
    return this.starmapAsync(fn, iterable, chunksize).get();
  }

  /**
   * Like {@link Pool.starmap}, returning at once.
   *
   * Python: `Pool.starmap_async(func, iterable, chunksize=None, callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the argument lists
   * @param chunksize - items per task @defaultValue `ceil(length / (4 × processes))`
   * @param options - `callback` / `errorCallback`, each called at most once
   * @returns an {@link AsyncResult} of the list
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError for an item that is not an array
   * @example
   * ```ts
   * const sums = await pool.starmapAsync(add, [[1, 2], [3, 4]]).get();
   * ```
   */
  starmapAsync<R = unknown, A extends readonly unknown[] = any[]>(
    fn: TaskFunction<A, R>,
    iterable: Iterable<A>,
    chunksize?: number,
    options?: AsyncOptions<R[]>,
  ): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, true) as AsyncResult<R[]>;
  }

  #mapAsync(fn: unknown, iterable: Iterable<unknown>, chunksize: number | undefined, options: AsyncOptions<any[]> | undefined, star: boolean): AsyncResult<unknown[]> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    if (iterable === null || iterable === undefined || typeof (iterable as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(
        `Expected \`iterable\` to be iterable (an array, a Set, a generator…), got ${describe(iterable)}` +
          ((iterable as Partial<AsyncIterable<unknown>>)?.[Symbol.asyncIterator] ? ': use imap() for an async iterable' : ''),
      );
    }
    const items = Array.isArray(iterable) ? iterable : Array.from(iterable);
    if (star) {
      items.forEach((item, i) => {
        if (!Array.isArray(item)) throw new TypeError(`Expected every starmap item to be an array of arguments, got ${describe(item)} at position ${i}`);
      });
    }
    const size = chunksize === undefined ? Math.ceil(items.length / (4 * this.#scheduler.processes)) : positiveInteger(chunksize, 'chunksize');
    const chunks = items.length === 0 ? 0 : Math.ceil(items.length / size);
    const result = new AsyncResult<unknown[]>(checkCallbacks(options, star ? 'starmapAsync()' : 'mapAsync()'));
    const job = new MapJob(result, size, chunks);
    const mode = star ? MODE_STARMAP : MODE_MAP;
    for (let start = 0; start < items.length; start += size) {
      const chunk = items.slice(start, start + size);
      this.#scheduler.submit(ref, mode, chunk, job, start, chunk.length);
    }
    return result;
  }

  /**
   * Calls `fn(item)` for every item and yields the results in input order, as
   * they are ready. The input is read lazily — generators and async iterables
   * work, and at most max(64, 4 × processes) chunks are read ahead of what you
   * consumed. A failed item rejects at its position (the next `next()` goes on
   * with the following one); an error thrown by the input ends the iteration at
   * its position. Breaking out of the loop stops reading the input.
   *
   * Python: `Pool.imap(func, iterable, chunksize=1)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items: an iterable or an async iterable
   * @param chunksize - items per task @defaultValue 1
   * @returns an async iterable iterator of the results
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * for await (const value of pool.imap(square, numbers())) console.log(value);
   * ```
   */
  imap<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T> | AsyncIterable<T>, chunksize = 1): AsyncIterableIterator<R> {
    return this.#imap(fn, iterable, chunksize, true) as AsyncIterableIterator<R>;
  }

  /**
   * Like {@link Pool.imap}, yielding results in the order they finish.
   *
   * Python: `Pool.imap_unordered(func, iterable, chunksize=1)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items: an iterable or an async iterable
   * @param chunksize - items per task @defaultValue 1
   * @returns an async iterable iterator of the results, in completion order
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * let done = 0;
   * for await (const _ of pool.imapUnordered(work, jobs)) console.log(`${++done}/${jobs.length}`);
   * ```
   */
  imapUnordered<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T> | AsyncIterable<T>, chunksize = 1): AsyncIterableIterator<R> {
    return this.#imap(fn, iterable, chunksize, false) as AsyncIterableIterator<R>;
  }

  #imap(fn: unknown, iterable: Iterable<unknown> | AsyncIterable<unknown>, chunksize: number, ordered: boolean): AsyncIterableIterator<unknown> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    const candidate = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
    if (typeof candidate?.[Symbol.iterator] !== 'function' && typeof candidate?.[Symbol.asyncIterator] !== 'function') {
      throw new TypeError(`Expected \`iterable\` to be an iterable or an async iterable, got ${describe(iterable)}`);
    }
    const job = new ImapJob(this.#scheduler, ref, iterable, positiveInteger(chunksize, 'chunksize'), ordered);
    const iterator: AsyncIterableIterator<unknown> = {
      next: () => job.next(),
      return: () => job.return(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Stops accepting work. Work already submitted (queued tasks, and the input
   * of a running `imap`) still runs; the workers exit once it is done.
   *
   * Python: `Pool.close()`.
   *
   * @example
   * ```ts
   * pool.close();
   * await pool.join();
   * ```
   */
  close(): void {
    this.#scheduler.close();
  }

  /**
   * Stops the workers at once. Queued and running tasks are not run to the
   * end: their results reject with {@link PoolTerminatedError}. Resolves once
   * every worker has exited. Calling it again returns the same promise.
   *
   * Python: `Pool.terminate()`.
   *
   * @returns a promise resolved when the workers have exited
   * @example
   * ```ts
   * await pool.terminate();
   * ```
   */
  terminate(): Promise<void> {
    return this.#scheduler.terminate();
  }

  /**
   * Waits for the workers to exit, after `close()` or `terminate()`.
   *
   * Python: `Pool.join()`.
   *
   * @returns a promise resolved when every worker has exited
   * @throws {@link PoolStateError} (as a rejection) "Pool is still running" before `close()` / `terminate()`
   * @example
   * ```ts
   * pool.close();
   * await pool.join();
   * ```
   */
  join(): Promise<void> {
    return this.#scheduler.join();
  }

  /**
   * `await using pool = new Pool()` terminates the pool at the end of the
   * block, as Python's `with Pool() as pool:` does.
   *
   * @returns the promise of {@link Pool.terminate}
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /**
   * Python's repr: `<Pool state=RUN pool_size=4>`.
   *
   * @example
   * ```ts
   * console.log(String(pool)); // <Pool state=RUN pool_size=4>
   * ```
   */
  toString(): string {
    return `<Pool state=${this.#scheduler.state.toUpperCase()} pool_size=${this.#scheduler.processes}>`;
  }

  /** `util.inspect` (and so `console.log(pool)`) shows the repr too. */
  [inspect.custom](): string {
    return this.toString();
  }
}

function checkCallbacks<R>(options: AsyncOptions<R> | undefined, owner: string): AsyncResultCallbacks<R> | undefined {
  if (options === undefined) return undefined;
  const { callback, errorCallback } = checkOptions(options, ASYNC_OPTIONS, owner);
  if (callback !== undefined && typeof callback !== 'function') throw new TypeError(`Expected \`callback\` to be a function, got ${describe(callback)}`);
  if (errorCallback !== undefined && typeof errorCallback !== 'function') {
    throw new TypeError(`Expected \`errorCallback\` to be a function, got ${describe(errorCallback)}`);
  }
  return options;
}
