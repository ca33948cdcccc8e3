import { inspect } from 'node:util';
import { cpuCount, getContext, isTaskRef, StartMethodError, type StartMethod, type TaskRef } from '@mp/core';
import { assertNotBootstrapping, checkOptions, describe, toTaskRef } from '@mp/core/internal';
import { AsyncResult, settleResult, type AsyncResultCallbacks } from './async-result.js';
import { AbortError } from './errors.js';
import type { move } from './move.js';
import { ApplyJob } from './internal/apply-job.js';
import { checkCancel, watch, type CancelOptions } from './internal/cancel.js';
import { ImapJob } from './internal/imap-job.js';
import { MapJob } from './internal/map-job.js';
import { marksInUse, takeMarks, type Moved } from './internal/moves.js';
import { PACKAGE_ROOT } from './internal/paths.js';
import { MODE_APPLY, MODE_MAP, MODE_STARMAP } from './internal/protocol.js';
import { Scheduler } from './internal/scheduler.js';
import type { PoolStats } from './internal/stats.js';
import type { HostTask } from './internal/task.js';
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
  /**
   * The most tasks that may wait for a worker (a `map` chunk counts as one).
   * `apply`/`applyAsync` beyond it are refused at once with {@link PoolQueueFullError};
   * `map`/`imap` wait for room instead. Wait for room with {@link Pool.drained}.
   * Not in Python. @defaultValue `Infinity`
   */
  maxQueue?: number | undefined;
  /**
   * Elastic size, for long-lived pools: the workers kept however idle. Workers above it
   * that stay idle for `idleTimeout` ms are retired, and started again (up to `processes`)
   * when tasks wait. Not in Python. @defaultValue `processes` (no worker is retired)
   */
  minProcesses?: number | undefined;
  /** Ms a worker above `minProcesses` may stay idle before it is retired. Not in Python. @defaultValue `Infinity` */
  idleTimeout?: number | undefined;
}

/**
 * Cancellation of a call (not in Python): `signal` aborts it (`AbortError`, `cause` the
 * signal's reason), `timeout` (ms) is its deadline (`TimeoutError`). Work still queued is
 * dropped; a running task is stopped by replacing its worker. For a map the deadline
 * covers the whole call.
 */
export interface TaskOptions {
  /** Aborts the call: its result rejects with an `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Deadline in ms from the call; `Infinity`: none. */
  timeout?: number | undefined;
}

/** Options of `applyAsync`, `mapAsync` and `starmapAsync`: Python's `callback` and `error_callback`, with `signal` and `timeout`. */
export type AsyncOptions<R> = AsyncResultCallbacks<R> & TaskOptions;

/** Options of `map`, `starmap`, `imap`, `imapUnordered` (in place of the `chunksize` argument, which a number still means). */
export interface MapOptions extends TaskOptions {
  /** Items per task. @defaultValue map: `ceil(length / (4 × processes))`; imap: 1 */
  chunksize?: number | undefined;
}

/** Options of `mapAsync` and `starmapAsync` given in place of `chunksize`. */
export type MapAsyncOptions<R> = MapOptions & AsyncResultCallbacks<R>;

/** Options of {@link Pool.close}. */
export interface CloseOptions {
  /**
   * Reject the tasks still waiting for a worker (with an `AbortError`) and stop reading
   * the input of running `imap`s; tasks already running finish. Python:
   * `Executor.shutdown(cancel_futures=True)`. @defaultValue false
   */
  cancelPending?: boolean | undefined;
}

const POOL_OPTIONS = ['processes', 'initializer', 'initargs', 'maxtasksperchild', 'context', 'resourceLimits', 'maxQueue', 'minProcesses', 'idleTimeout'] as const satisfies ReadonlyArray<
  keyof PoolOptions
>;
const RESOURCE_LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb'] as const satisfies ReadonlyArray<keyof ResourceLimits>;
const ASYNC_OPTIONS = ['callback', 'errorCallback', 'signal', 'timeout'] as const satisfies ReadonlyArray<keyof AsyncOptions<unknown>>;
const TASK_OPTIONS = ['signal', 'timeout'] as const satisfies ReadonlyArray<keyof TaskOptions>;
const MAP_OPTIONS = ['chunksize', 'signal', 'timeout'] as const satisfies ReadonlyArray<keyof MapOptions>;
const MAP_ASYNC_OPTIONS = ['chunksize', 'callback', 'errorCallback', 'signal', 'timeout'] as const satisfies ReadonlyArray<keyof MapAsyncOptions<unknown>>;
const CLOSE_OPTIONS = ['cancelPending'] as const satisfies ReadonlyArray<keyof CloseOptions>;

/** A map's third argument: `chunksize` (a number, as in Python) or an options object. */
function splitMapArgs(
  third: unknown,
  fourth: unknown,
  owner: string,
  valid: readonly string[],
): { chunksize: number | undefined; options: (AsyncOptions<any> & MapOptions) | undefined } {
  if (typeof third === 'object' && third !== null) {
    if (fourth !== undefined) {
      throw new TypeError(`${owner}: pass the options either in place of \`chunksize\` or as the last argument, not both (got ${describe(third)} and ${describe(fourth)})`);
    }
    const options = checkOptions(third as MapAsyncOptions<unknown>, valid, owner);
    return { chunksize: options.chunksize ?? undefined, options };
  }
  if (third !== undefined && third !== null && typeof third !== 'number') {
    throw new TypeError(`Expected the third argument of ${owner} to be \`chunksize\` (a positive integer) or an options object, got ${describe(third)}`);
  }
  return { chunksize: (third ?? undefined) as number | undefined, options: fourth === undefined ? undefined : checkOptions(fourth as AsyncOptions<any>, ASYNC_OPTIONS, owner) };
}

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
   * @param options - processes, initializer, initargs, maxtasksperchild, context, resourceLimits; not in Python:
   *   maxQueue, minProcesses, idleTimeout
   * @throws RangeError "Number of processes must be at least 1" for `processes < 1`, and for a
   *   `maxtasksperchild` or `maxQueue` that is not a positive integer, a `minProcesses` outside 0…processes,
   *   a negative or NaN `idleTimeout`
   * @throws TypeError for an unknown option (`{ process: 4 }`: the message names the valid ones), a
   *   non-function `initializer`, `initargs` that is not an array, an unknown start method
   * @throws `ProcessStateError` when called while a child imports the module that calls it (top-level
   *   code of a task's or target's module): create the pool under `if (isMain(import.meta))`
   * @throws `StartMethodError` for `resourceLimits` under `'process'`, or shared memory in `initargs` under `'process'`
   */
  constructor(options: PoolOptions = {}) {
    const { initializer, initargs = [], maxtasksperchild, context, resourceLimits, maxQueue, minProcesses, idleTimeout } = checkOptions(options, POOL_OPTIONS, 'Pool');
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
    if (maxQueue !== undefined && maxQueue !== Infinity) positiveInteger(maxQueue, 'maxQueue');
    if (minProcesses !== undefined) {
      if (typeof minProcesses !== 'number') throw new TypeError(`Expected \`minProcesses\` to be an integer from 0 to processes, got ${describe(minProcesses)}`);
      if (!Number.isInteger(minProcesses) || minProcesses < 0 || minProcesses > processes) {
        throw new RangeError(`Expected \`minProcesses\` to be an integer from 0 to processes (${processes}), got ${describe(minProcesses)}`);
      }
    }
    if (idleTimeout !== undefined) {
      if (typeof idleTimeout !== 'number') throw new TypeError(`Expected \`idleTimeout\` to be a number of milliseconds, got ${describe(idleTimeout)}`);
      if (Number.isNaN(idleTimeout) || idleTimeout < 0) throw new RangeError(`Expected \`idleTimeout\` to be a number of milliseconds ≥ 0, got ${describe(idleTimeout)}`);
    }
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
      maxQueue: maxQueue ?? Infinity,
      minProcesses: minProcesses ?? processes,
      idleTimeout: idleTimeout ?? Infinity,
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
   * @param args - its arguments (structured clone; shared `@mp` objects by identity under `'thread'`; an argument
   *   marked with {@link move} has its buffers transferred, not copied, under `'thread'`)
   * @param options - `signal` / `timeout` (ms): stop the task (see {@link TaskOptions}); not in Python
   * @returns the result
   * @throws (as a rejection) {@link PoolStateError} "Pool not running" after close/terminate; the task's error
   *   (its name, message and the worker's stack); {@link WorkerLostError}; `DataCloneError` for arguments or a result that cannot be sent;
   *   {@link AbortError} when `signal` aborts it; `TimeoutError` past `timeout`; {@link PoolQueueFullError} beyond `maxQueue`;
   *   TypeError / RangeError for a bad `signal` or `timeout`
   * @example
   * ```ts
   * const nine = await pool.apply(square, [3]);
   * const capped = await pool.apply(render, [page], { signal: request.signal, timeout: 5_000 });
   * ```
   */
  apply<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, args?: A, options?: TaskOptions): Promise<R> {
    try {
      if (options !== undefined) checkOptions(options, TASK_OPTIONS, 'apply()');
      return this.applyAsync(fn, args, options).get();
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
   * @param args - its arguments (see {@link Pool.apply}; {@link move} transfers buffers under `'thread'`)
   * @param options - `callback` (with the result) / `errorCallback` (with the error), each called at most once;
   *   `signal` / `timeout` (ms) stop the task (see {@link TaskOptions})
   * @returns an {@link AsyncResult} (awaitable: `await pool.applyAsync(f, args)` is the value)
   * @throws {@link PoolStateError} "Pool not running" (synchronously) after close/terminate; {@link PoolQueueFullError}
   *   (synchronously) when `maxQueue` tasks already wait; TypeError for a bad `fn`, `args` or `signal`; RangeError for a
   *   negative or NaN `timeout`; TypeError for a {@link move}d buffer used twice in the arguments or already
   *   transferred. The result rejects with {@link AbortError} / `TimeoutError` when cancelled.
   * @example
   * ```ts
   * const result = pool.applyAsync(square, [10], { callback: (value) => console.log('done', value) });
   * console.log(await result.get(1_000)); // 100
   * console.log(await pool.applyAsync(square, [3])); // 9
   * ```
   */
  applyAsync<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, args?: A, options?: AsyncOptions<R>): AsyncResult<R> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    const list = args ?? [];
    if (!Array.isArray(list)) throw new TypeError(`Expected \`args\` to be an array, got ${describe(list)}`);
    const callbacks = checkCallbacks(options, 'applyAsync()');
    const cancel = options === undefined ? undefined : checkCancel(options.signal, options.timeout, 'applyAsync()');
    const result = new AsyncResult<R>(callbacks);
    const job = new ApplyJob(result as AsyncResult<unknown>);
    if (cancel) {
      const scheduler = this.#scheduler;
      let task: HostTask | undefined;
      const watched = watch(cancel, 'The task', (error) => {
        if (task) scheduler.cancel(task);
        settleResult(result, false, error);
      });
      if (watched instanceof Error) {
        // Already aborted: nothing runs; settled after the caller has its AsyncResult, as callbacks always run later.
        queueMicrotask(() => settleResult(result, false, watched));
        return result;
      }
      let moved: Moved | undefined;
      try {
        scheduler.admit();
        moved = this.#unmark(list);
      } catch (error) {
        watched();
        throw error;
      }
      job.dispose = watched;
      task = moved ? scheduler.submit(ref, MODE_APPLY, moved.payload, job, 0, 1, moved.transfer) : scheduler.submit(ref, MODE_APPLY, list, job, 0, 1);
      return result;
    }
    this.#scheduler.admit();
    // Last, once the task is accepted: under 'thread' this detaches the caller's moved buffers.
    const moved = this.#unmark(list);
    if (moved) this.#scheduler.submit(ref, MODE_APPLY, moved.payload, job, 0, 1, moved.transfer);
    else this.#scheduler.submit(ref, MODE_APPLY, list, job, 0, 1);
    return result;
  }

  /** The arguments with their `move()` marks replaced (see `internal/moves.ts`); `undefined` when there is none, or no `move()` ran yet. */
  #unmark(list: readonly unknown[]): Moved | undefined {
    const marks = marksInUse();
    return marks && takeMarks(marks, list, false, this.#scheduler.method === 'thread', 'args');
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
   * @param chunksize - items per task (`ceil(length / (4 × processes))` by default), or the options
   *   `{ chunksize, signal, timeout }` (see {@link MapOptions}; the deadline covers the whole map)
   * @returns the results, in input order
   * @throws (as a rejection) {@link PoolStateError} "Pool not running"; the first item's error; RangeError for a bad chunksize;
   *   {@link AbortError} / `TimeoutError` when cancelled (the chunks queued are dropped, the running ones stopped)
   * @example
   * ```ts
   * const squares = await pool.map(square, [1, 2, 3]); // [1, 4, 9]
   * const capped = await pool.map(square, numbers, { chunksize: 100, timeout: 10_000 });
   * ```
   */
  async map<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T>, chunksize?: number | MapOptions): Promise<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, undefined, false, 'map()').get() as Promise<R[]>;
  }

  /**
   * Like {@link Pool.map}, returning at once.
   *
   * Python: `Pool.map_async(func, iterable, chunksize=None, callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items
   * @param chunksize - items per task (`ceil(length / (4 × processes))` by default), or all the options in one object
   *   (`{ chunksize, callback, errorCallback, signal, timeout }`)
   * @param options - `callback` (with the list) / `errorCallback`, each called at most once; `signal` / `timeout`
   * @returns an {@link AsyncResult} of the list
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * const result = pool.mapAsync(square, [1, 2, 3], undefined, { callback: (list) => console.log(list) });
   * await result.wait();
   * const list = await pool.mapAsync(square, [1, 2, 3], { signal: AbortSignal.timeout(5_000) });
   * ```
   */
  mapAsync<R = unknown, T = any>(
    fn: TaskFunction<[T], R>,
    iterable: Iterable<T>,
    chunksize?: number | MapAsyncOptions<R[]>,
    options?: AsyncOptions<R[]>,
  ): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, false, 'mapAsync()') as AsyncResult<R[]>;
  }

  /**
   * Like {@link Pool.map}, with each item an array of arguments: `fn(...item)`.
   *
   * Python: `Pool.starmap(func, iterable, chunksize=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the argument lists
   * @param chunksize - items per task (`ceil(length / (4 × processes))` by default), or `{ chunksize, signal, timeout }`
   * @returns the results, in input order
   * @throws (as a rejection) as {@link Pool.map}; TypeError for an item that is not an array
   * @example
   * ```ts
   * const sums = await pool.starmap(add, [[1, 2], [3, 4]]); // [3, 7]
   * ```
   */
  async starmap<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, iterable: Iterable<A>, chunksize?: number | MapOptions): Promise<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, undefined, true, 'starmap()').get() as Promise<R[]>;
  }

  /**
   * Like {@link Pool.starmap}, returning at once.
   *
   * Python: `Pool.starmap_async(func, iterable, chunksize=None, callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the argument lists
   * @param chunksize - items per task (`ceil(length / (4 × processes))` by default), or all the options in one object
   * @param options - `callback` / `errorCallback`, each called at most once; `signal` / `timeout`
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
    chunksize?: number | MapAsyncOptions<R[]>,
    options?: AsyncOptions<R[]>,
  ): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, true, 'starmapAsync()') as AsyncResult<R[]>;
  }

  #mapAsync(fn: unknown, iterable: Iterable<unknown>, third: unknown, fourth: unknown, star: boolean, owner: string): AsyncResult<unknown[]> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    if (iterable === null || iterable === undefined || typeof (iterable as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(
        `Expected \`iterable\` to be iterable (an array, a Set, a generator…), got ${describe(iterable)}` +
          ((iterable as Partial<AsyncIterable<unknown>>)?.[Symbol.asyncIterator] ? ': use imap() for an async iterable' : ''),
      );
    }
    const isAsync = owner.endsWith('Async()');
    const { chunksize, options } = splitMapArgs(third, fourth, owner, isAsync ? MAP_ASYNC_OPTIONS : MAP_OPTIONS);
    const items = Array.isArray(iterable) ? iterable : Array.from(iterable);
    if (star) {
      items.forEach((item, i) => {
        if (!Array.isArray(item)) throw new TypeError(`Expected every starmap item to be an array of arguments, got ${describe(item)} at position ${i}`);
      });
    }
    const size = chunksize === undefined ? Math.ceil(items.length / (4 * this.#scheduler.processes)) : positiveInteger(chunksize, 'chunksize');
    const callbacks = options === undefined ? undefined : checkCallbacks(pickCallbacks(options), owner);
    const cancel = options === undefined ? undefined : checkCancel(options.signal, options.timeout, owner);
    const result = new AsyncResult<unknown[]>(callbacks);
    new MapJob(this.#scheduler, result, ref, star ? MODE_STARMAP : MODE_MAP, items, size, cancel);
    return result;
  }

  /**
   * Calls `fn(item)` for every item and yields the results in input order, as
   * they are ready. The input is read lazily — generators and async iterables
   * work, and at most max(64, 4 × processes) chunks are read ahead of what you
   * consumed. A failed item rejects at its position (the next `next()` goes on
   * with the following one); an error thrown by the input ends the iteration at
   * its position. Breaking out of the loop stops the rest: the input is not
   * read further, chunks still queued are dropped and running ones are stopped
   * (their workers replaced).
   *
   * Python: `Pool.imap(func, iterable, chunksize=1)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items: an iterable or an async iterable
   * @param chunksize - items per task (1 by default), or `{ chunksize, signal, timeout }` (see {@link MapOptions}):
   *   when cancelled, the next step rejects with {@link AbortError} / `TimeoutError` and the iteration ends
   * @returns an async iterable iterator of the results
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * for await (const value of pool.imap(square, numbers())) console.log(value);
   * ```
   */
  imap<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T> | AsyncIterable<T>, chunksize: number | MapOptions = 1): AsyncIterableIterator<R> {
    return this.#imap(fn, iterable, chunksize, true, 'imap()') as AsyncIterableIterator<R>;
  }

  /**
   * Like {@link Pool.imap}, yielding results in the order they finish.
   *
   * Python: `Pool.imap_unordered(func, iterable, chunksize=1)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items: an iterable or an async iterable
   * @param chunksize - items per task (1 by default), or `{ chunksize, signal, timeout }`
   * @returns an async iterable iterator of the results, in completion order
   * @throws {@link PoolStateError} "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * let done = 0;
   * for await (const _ of pool.imapUnordered(work, jobs)) console.log(`${++done}/${jobs.length}`);
   * ```
   */
  imapUnordered<R = unknown, T = any>(
    fn: TaskFunction<[T], R>,
    iterable: Iterable<T> | AsyncIterable<T>,
    chunksize: number | MapOptions = 1,
  ): AsyncIterableIterator<R> {
    return this.#imap(fn, iterable, chunksize, false, 'imapUnordered()') as AsyncIterableIterator<R>;
  }

  #imap(fn: unknown, iterable: Iterable<unknown> | AsyncIterable<unknown>, third: unknown, ordered: boolean, owner: string): AsyncIterableIterator<unknown> {
    this.#assertRunning();
    const ref = this.#ref(fn);
    const candidate = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
    if (typeof candidate?.[Symbol.iterator] !== 'function' && typeof candidate?.[Symbol.asyncIterator] !== 'function') {
      throw new TypeError(`Expected \`iterable\` to be an iterable or an async iterable, got ${describe(iterable)}`);
    }
    const { chunksize, options } = splitMapArgs(third, undefined, owner, MAP_OPTIONS);
    const cancel = options === undefined ? undefined : checkCancel(options.signal, options.timeout, owner);
    const job = new ImapJob(this.#scheduler, ref, iterable, positiveInteger(chunksize ?? 1, 'chunksize'), ordered, cancel);
    const iterator: AsyncIterableIterator<unknown> = {
      next: () => job.next(),
      return: () => job.return(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Stops accepting work. Work already submitted (queued tasks, and the input
   * of a running `imap`) still runs; the workers exit once it is done. With
   * `{ cancelPending: true }`, tasks still waiting for a worker reject with an
   * {@link AbortError} instead (and running `imap`s stop reading their input);
   * tasks already running finish.
   *
   * Python: `Pool.close()`; with `cancelPending`, `Executor.shutdown(cancel_futures=True)`.
   *
   * @param options - `cancelPending`: drop the queued work
   * @throws TypeError for an unknown option
   * @example
   * ```ts
   * pool.close({ cancelPending: true });
   * await pool.join();
   * ```
   */
  close(options?: CloseOptions): void {
    const { cancelPending } = checkOptions(options, CLOSE_OPTIONS, 'close()');
    this.#scheduler.close(
      cancelPending
        ? new AbortError('The task was cancelled by close({ cancelPending: true }) before a worker took it: submit before closing, or close() without cancelPending')
        : undefined,
    );
  }

  /**
   * Resolves once no task waits for a worker (at once when none does): the way to
   * wait for room under `maxQueue` without polling — piscina's `'drain'` event.
   * Tasks may still be running.
   *
   * Python: none.
   *
   * @returns a promise resolved when the queue is empty
   * @example
   * ```ts
   * for (const job of jobs) {
   *   if (pool.stats().queued >= 100) await pool.drained();
   *   pool.applyAsync(work, [job]);
   * }
   * ```
   */
  drained(): Promise<void> {
    return this.#scheduler.drained();
  }

  /**
   * A snapshot of the pool's load, cheap enough to call per request (O(workers),
   * plus sorting two windows of at most 1,024 samples): workers busy / idle /
   * starting, tasks queued, completed / failed / cancelled, run-time and
   * wait-time percentiles (ms) of the latest 1,024 tasks, and the share of the
   * workers' time spent running tasks since the pool started.
   *
   * Python: none.
   *
   * @returns a {@link PoolStats}
   * @example
   * ```ts
   * const { queued, workers, runTime } = pool.stats();
   * console.log(`${workers.busy} busy, ${queued} waiting, p99 ${runTime.p99.toFixed(1)} ms`);
   * ```
   */
  stats(): PoolStats {
    return this.#scheduler.stats();
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

/** The callbacks of an options object that also holds other options. */
function pickCallbacks<R>(options: AsyncOptions<R> & MapOptions): AsyncResultCallbacks<R> {
  const picked: AsyncResultCallbacks<R> = {};
  if (options.callback !== undefined) picked.callback = options.callback;
  if (options.errorCallback !== undefined) picked.errorCallback = options.errorCallback;
  return picked;
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
