import { hostname } from 'node:os';
import { inspect } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { cpuCount, TimeoutError, type TaskRef } from '@mp/core';
import { checkOptions, checkTarget, describe, toTaskRef } from '@mp/core/internal';
import { AbortError, AsyncResult, PoolStateError, PoolTerminatedError, type AsyncOptions, type AsyncResultCallbacks, type CloseOptions, type MapAsyncOptions, type MapOptions, type TaskFunction, type TaskOptions } from '@mp/pool';
import { settleResult as settle } from '@mp/pool/internal';
import { ClusterDataLostError } from './errors.js';
import { connect, whenReady, type ConnectionOption } from './internal/connection.js';
import { HEARTBEAT_MS, JOB_NAME, newPoolId, POOL_TTL_MS, poolKeys, type PoolKeys } from './internal/keys.js';
import { PACKAGE_ROOTS } from './internal/paths.js';
import { decodeMessage, encodeItems, reviveError, type ChunkOutcome } from './internal/payload.js';
import { toRemoteTarget, type RemoteTarget } from './internal/target.js';

/** Options of {@link Pool}. */
export interface PoolOptions {
  /** Where Redis is: a `redis://` URL or ioredis options. @defaultValue `'redis://127.0.0.1:6379'` (Ray: `ray_address`) */
  connection?: ConnectionOption | undefined;
  /** The BullMQ queue the workers serve (`mp-worker --queue`). @defaultValue `'mp'` */
  queue?: string | undefined;
  /** BullMQ's key prefix (`mp-worker --prefix`). @defaultValue `'bull'` */
  prefix?: string | undefined;
  /**
   * The tasks the cluster runs at once (the sum of the workers' `--concurrency`): it sizes map chunks
   * (`ceil(length / (4 × processes))`) and imap's read-ahead. @defaultValue `cpuCount()`
   */
  processes?: number | null | undefined;
  /** Ms to wait for the first connection before every task rejects with a `ClusterConnectionError`. @defaultValue 5_000 */
  connectTimeout?: number | undefined;
}

/** What the pool does with one job's answer. */
interface Pending {
  deliver(outcome: ChunkOutcome, host: string, pid: number): void;
  fail(error: unknown): void;
}

interface Prepared {
  readonly id: string;
  readonly data: Record<string, unknown>;
}

const POOL_OPTIONS = ['connection', 'queue', 'prefix', 'processes', 'connectTimeout'] as const satisfies ReadonlyArray<keyof PoolOptions>;
const ASYNC_OPTIONS = ['callback', 'errorCallback', 'signal', 'timeout'] as const;
const TASK_OPTIONS = ['signal', 'timeout'] as const;
const MAP_OPTIONS = ['chunksize', 'signal', 'timeout'] as const;
const MAP_ASYNC_OPTIONS = ['chunksize', 'callback', 'errorCallback', 'signal', 'timeout'] as const;
const CLOSE_OPTIONS = ['cancelPending'] as const;
/** Results popped per round trip once one has arrived. */
const RESULT_BATCH = 1_000;
/** How long join()/terminate() wait for each clean-up step beyond the removal wait (Redis may be gone). */
const CLEANUP_MS = 1_000;

/** Whether `work` settled successfully within `ms` (it is not stopped: only no longer waited for). */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([work.then(() => true, () => false), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest join()/terminate() wait for workers to mark answered jobs complete. */
const REMOVAL_WAIT_MS = 5_000;

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`Expected \`${what}\` to be a positive integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Expected \`${what}\` to be a positive integer, got ${describe(value)}`);
  return value;
}

/** A map's third argument: `chunksize` (a number, as in Python) or an options object. */
function splitMapArgs(third: unknown, fourth: unknown, owner: string, valid: readonly string[]): { chunksize: number | undefined; options: (AsyncOptions<unknown> & MapOptions) | undefined } {
  if (typeof third === 'object' && third !== null) {
    if (fourth !== undefined) throw new TypeError(`${owner}: pass the options either in place of \`chunksize\` or as the last argument, not both`);
    const options = checkOptions(third as MapAsyncOptions<unknown>, valid, owner);
    return { chunksize: options.chunksize ?? undefined, options };
  }
  if (third !== undefined && third !== null && typeof third !== 'number') {
    throw new TypeError(`Expected the third argument of ${owner} to be \`chunksize\` (a positive integer) or an options object, got ${describe(third)}`);
  }
  return { chunksize: (third ?? undefined) as number | undefined, options: fourth === undefined ? undefined : checkOptions(fourth as AsyncOptions<unknown>, ASYNC_OPTIONS, owner) };
}

function callbacksOf<R>(options: AsyncOptions<R> | undefined): AsyncResultCallbacks<R> | undefined {
  if (options === undefined) return undefined;
  const { callback, errorCallback } = options;
  if (callback !== undefined && typeof callback !== 'function') throw new TypeError(`Expected \`callback\` to be a function, got ${describe(callback)}`);
  if (errorCallback !== undefined && typeof errorCallback !== 'function') throw new TypeError(`Expected \`errorCallback\` to be a function, got ${describe(errorCallback)}`);
  return { callback, errorCallback };
}

/**
 * A pool whose workers are `mp-worker` processes on any number of machines,
 * fed through a BullMQ queue on Redis. The API of `@mp/pool`'s `Pool`: moving
 * a program from one machine to many is a change of import and options.
 *
 * Tasks are exported functions, named by module and export; a worker finds the
 * module under its `--root` by its path inside your package (or by package
 * name). Arguments and results are data (V8's structured clone format).
 *
 * Delivery: at-least-once execution, exactly-once result. A job whose worker
 * dies is taken over by another worker (BullMQ's stalled-job recovery) and may
 * run twice; its result is delivered to you once.
 *
 * Python: `ray.util.multiprocessing.Pool` (`multiprocessing.Pool` across a cluster).
 *
 * @example
 * ```ts
 * import { Pool } from '@mp/cluster';
 * const pool = new Pool({ connection: 'redis://10.0.0.5:6379', queue: 'render' });
 * const frames = await pool.map(renderFrame, frameNumbers, { chunksize: 4 });
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool {
  #state: 'run' | 'close' | 'terminate' = 'run';
  readonly #id = newPoolId();
  readonly #keys: PoolKeys;
  readonly #processes: number;
  readonly #redis: Redis;
  readonly #listener: Redis;
  readonly #queue: Queue;
  readonly #ready: Promise<void>;
  #failure: Error | undefined;
  readonly #jobs = new Map<string, Pending>();
  #seq = 0;
  #batch: Array<{ name: string; data: Record<string, unknown>; opts: { jobId: string; removeOnComplete: true; removeOnFail: true; attempts: 1 } }> = [];
  #flush: Promise<void> | undefined;
  #listening = false;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #idle = new Set<() => void>();
  #ending: Promise<void> | undefined;
  #terminating: Promise<void> | undefined;
  readonly #refs = new WeakMap<object, RemoteTarget>();
  /** Jobs answered since the pool started: their BullMQ records go once their workers mark them complete. */
  #answered: string[] = [];
  readonly #jobPrefix: string;

  /**
   * Connects to Redis (in the background: a failure rejects the tasks).
   *
   * Python: `ray.util.multiprocessing.Pool(processes=None, ray_address=None)`.
   *
   * @param options - connection, queue, prefix, processes, connectTimeout
   * @throws TypeError for an unknown option or a `connection` that is not a redis:// URL or options; RangeError for a bad `processes`
   */
  constructor(options: PoolOptions = {}) {
    const opts = checkOptions(options, POOL_OPTIONS, 'Pool');
    const connection = opts.connection ?? 'redis://127.0.0.1:6379';
    const queue = opts.queue ?? 'mp';
    const prefix = opts.prefix ?? 'bull';
    if (typeof queue !== 'string' || queue === '' || queue.includes(':')) throw new TypeError(`Expected \`queue\` to be a name without ':', got ${describe(queue)}`);
    if (typeof prefix !== 'string' || prefix === '') throw new TypeError(`Expected \`prefix\` to be a non-empty string, got ${describe(prefix)}`);
    this.#processes = opts.processes === undefined || opts.processes === null ? cpuCount() : positiveInteger(opts.processes, 'processes');
    const connectTimeout = opts.connectTimeout ?? 5_000;
    if (typeof connectTimeout !== 'number' || !(connectTimeout > 0)) throw new RangeError(`Expected \`connectTimeout\` to be a number of ms > 0, got ${describe(connectTimeout)}`);
    this.#keys = poolKeys(prefix, queue, this.#id);
    this.#jobPrefix = `${prefix}:${queue}:`;
    this.#redis = connect(connection, `mp-pool@${hostname()}`);
    this.#listener = this.#redis.duplicate();
    // ioredis reconnects by itself; the first failure is reported through #ready, later ones by their effect.
    this.#redis.on('error', () => {});
    this.#listener.on('error', () => {});
    this.#queue = new Queue(queue, { connection: this.#redis, prefix });
    this.#queue.on('error', () => {});
    let connectedOnce = false;
    this.#ready = whenReady(this.#redis, connection, connectTimeout).then(async () => {
      await this.#redis.set(this.#keys.alive, `${hostname()} ${process.pid}`, 'PX', POOL_TTL_MS);
      connectedOnce = true;
      this.#heartbeat = setInterval(() => void this.#renew(), HEARTBEAT_MS).unref();
    });
    this.#ready.catch((error: Error) => {
      this.#failure = error;
      this.#failAll(error);
    });
    // After a reconnection: Redis may have come back empty (restarted without persistence).
    this.#redis.on('ready', () => {
      if (connectedOnce) void this.#renew();
    });
  }

  /** Renews the pool's record; finding it gone means Redis lost the pool's data. */
  async #renew(): Promise<void> {
    if (this.#state === 'terminate' || this.#ending) return;
    try {
      if ((await this.#redis.pexpire(this.#keys.alive, POOL_TTL_MS)) === 0 && !this.#terminating && !this.#ending) {
        this.#failAll(
          new ClusterDataLostError(
            'Redis lost this pool\'s jobs and results (it restarted without persistence, or was flushed): the tasks still pending ' +
              'cannot complete. Submit them again; run redis-server with --appendonly yes to keep work across restarts.',
          ),
        );
        await this.#redis.set(this.#keys.alive, `${hostname()} ${process.pid}`, 'PX', POOL_TTL_MS);
      }
    } catch {
      // Not connected now: the next heartbeat, or the reconnection, checks again.
    }
  }

  #failAll(error: unknown): void {
    const pending = [...this.#jobs.values()];
    this.#jobs.clear();
    this.#batch = [];
    for (const job of pending) job.fail(error);
    this.#wakeIdle();
  }

  #wakeIdle(): void {
    if (this.#jobs.size > 0) return;
    for (const wake of this.#idle) wake();
    this.#idle.clear();
  }

  /** The tasks the cluster runs at once, as given (sizes chunks). */
  get processes(): number {
    return this.#processes;
  }

  #target(fn: unknown): RemoteTarget {
    const cached = typeof fn === 'function' ? this.#refs.get(fn) : undefined;
    if (cached) return cached;
    const ref: TaskRef = toTaskRef(fn, 'task', PACKAGE_ROOTS);
    if (typeof fn === 'function') checkTarget(fn, ref, 'task');
    const target = toRemoteTarget(ref);
    if (typeof fn === 'function') this.#refs.set(fn, target);
    return target;
  }

  #assertRunning(): void {
    if (this.#state !== 'run') {
      throw new PoolStateError(`Pool not running: it was ${this.#state === 'close' ? 'closed' : 'terminated'}; create a new Pool to submit more work`);
    }
  }

  /** Encodes one job (throws before anything is queued). */
  #prepare(target: RemoteTarget, star: boolean, items: readonly unknown[], name: (i: number) => string): Prepared {
    const id = `${this.#id}-${++this.#seq}`;
    return { id, data: { pool: this.#id, target, star, count: items.length, items: encodeItems(items, name) } };
  }

  /** Queues prepared jobs; they are added to Redis together, in one round trip per turn of the event loop. */
  #enqueue(job: Prepared, pending: Pending): void {
    if (this.#failure) {
      pending.fail(this.#failure);
      return;
    }
    this.#jobs.set(job.id, pending);
    this.#batch.push({ name: JOB_NAME, data: job.data, opts: { jobId: job.id, removeOnComplete: true, removeOnFail: true, attempts: 1 } });
    this.#flush ??= this.#ready
      .then(async () => {
        const batch = this.#batch;
        this.#batch = [];
        this.#flush = undefined;
        if (batch.length > 0 && this.#state !== 'terminate') await this.#queue.addBulk(batch);
      })
      .catch((error: unknown) => {
        this.#flush = undefined;
        if (!this.#failure) this.#failAll(error);
      });
    void this.#listen();
  }

  /** Pops results while jobs are out: one blocking pop, then up to {@link RESULT_BATCH} more at once. */
  async #listen(): Promise<void> {
    if (this.#listening) return;
    this.#listening = true;
    try {
      await this.#ready;
      while (this.#jobs.size > 0 && this.#state !== 'terminate') {
        const first = await this.#listener.blpopBuffer(this.#keys.results, 0);
        if (first) this.#deliver(first[1]);
        const more = this.#jobs.size > 0 ? await this.#listener.lpopBuffer(this.#keys.results, RESULT_BATCH) : null;
        for (const bytes of (more as unknown as Buffer[] | null) ?? []) this.#deliver(bytes);
      }
    } catch {
      // The listener was disconnected by terminate()/join(), or the connection failed (reported through #ready).
    } finally {
      this.#listening = false;
    }
    if (this.#jobs.size > 0 && this.#state !== 'terminate' && !this.#failure && this.#listener.status !== 'end') void this.#listen();
  }

  #deliver(bytes: Buffer): void {
    const message = decodeMessage(bytes);
    if (!message) return;
    const pending = this.#jobs.get(message.job);
    // A job taken over after its worker died may answer twice: the first answer is the result.
    if (!pending) return;
    this.#jobs.delete(message.job);
    this.#answered.push(message.job);
    pending.deliver(message.outcome, message.host, message.pid);
    this.#wakeIdle();
  }

  /** Forgets jobs whose result nobody wants any more, and removes them from the queue if no worker took them yet. */
  #drop(ids: readonly string[]): void {
    const dropped = ids.filter((id) => this.#jobs.delete(id));
    if (dropped.length === 0) return;
    this.#batch = this.#batch.filter((job) => !dropped.includes(job.opts.jobId));
    void Promise.resolve(this.#flush).then(() => Promise.all(dropped.map((id) => this.#queue.remove(id).catch(() => 0))));
    this.#wakeIdle();
  }

  /** Arms `signal` / `timeout` of a call: on either, `fail` is called and the call's jobs are dropped. */
  #watch(options: TaskOptions | undefined, owner: string, ids: () => readonly string[], fail: (error: unknown) => void): (() => void) | undefined {
    if (options === undefined) return undefined;
    const { signal, timeout } = options;
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new RangeError(`Expected \`timeout\` of ${owner} to be a number of ms ≥ 0, got ${describe(timeout)}`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`Expected \`signal\` of ${owner} to be an AbortSignal, got ${describe(signal)}`);
    const cancel = (error: unknown) => {
      stop();
      fail(error);
      this.#drop(ids());
    };
    const onAbort = () => cancel(new AbortError(`${owner} was aborted: its queued jobs were removed; a job already running finishes on its worker and its result is dropped`, { cause: signal?.reason }));
    const timer = timeout === undefined || timeout === Infinity ? undefined : setTimeout(() => cancel(new TimeoutError(`${owner} did not finish within ${timeout} ms`)), timeout);
    const stop = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) queueMicrotask(onAbort);
    else signal?.addEventListener('abort', onAbort, { once: true });
    return stop;
  }

  /**
   * Runs `fn(...args)` on a worker and waits for its result.
   *
   * Python: `Pool.apply(func, args=())`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param args - its arguments (data: structured clone; not shared `@mp` objects)
   * @param options - `signal` / `timeout` (ms)
   * @returns the result
   * @throws (as a rejection) `PoolStateError` after close/terminate; the task's error (remote name, message, stack and
   *   `host`); `DataCloneError` naming an argument that cannot travel (a function, a Lock…); {@link ClusterConnectionError};
   *   {@link ClusterDataLostError}; `PoolTerminatedError`; `AbortError` / `TimeoutError`
   * @example
   * ```ts
   * const nine = await pool.apply(square, [3]);
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
   * Python: `Pool.apply_async(func, args=(), callback=None, error_callback=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param args - its arguments (data only)
   * @param options - `callback`, `errorCallback`, `signal`, `timeout`
   * @returns an {@link AsyncResult}
   * @throws `PoolStateError` "Pool not running"; `DataCloneError` naming the argument that cannot travel; TypeError for a
   *   function that is not exported
   * @example
   * ```ts
   * const result = pool.applyAsync(square, [10]);
   * console.log(await result.get(5_000)); // 100
   * ```
   */
  applyAsync<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, args?: A, options?: AsyncOptions<R>): AsyncResult<R> {
    this.#assertRunning();
    const target = this.#target(fn);
    const list = args ?? [];
    if (!Array.isArray(list)) throw new TypeError(`Expected \`args\` to be an array of arguments, got ${describe(list)}`);
    const checked = options === undefined ? undefined : checkOptions(options, ASYNC_OPTIONS, 'applyAsync()');
    const result = new AsyncResult<R>(callbacksOf(checked));
    const job = this.#prepare(target, true, [list], () => 'args');
    const stop = this.#watch(checked, 'applyAsync()', () => [job.id], (error) => settle(result, false, error));
    this.#enqueue(job, {
      deliver: (outcome, host, pid) => {
        stop?.();
        const failure = outcome.errors[0];
        settle(result, !failure, failure ? reviveError(failure.error, host, pid) : outcome.results[0]);
      },
      fail: (error) => {
        stop?.();
        settle(result, false, error);
      },
    });
    return result;
  }

  /**
   * Calls `fn(item)` for every item on the workers, in jobs of `chunksize` items, and returns the results in
   * input order. Every item runs even when some fail; then the error of the first failed item (by position) is thrown.
   *
   * Python: `Pool.map(func, iterable, chunksize=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items
   * @param chunksize - items per job (`ceil(length / (4 × processes))` by default), or `{ chunksize, signal, timeout }`
   * @returns the results, in input order
   * @throws (as a rejection) as {@link Pool.apply}; the first failed item's error
   * @example
   * ```ts
   * const squares = await pool.map(square, [1, 2, 3]); // [1, 4, 9]
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
   * @param chunksize - items per job, or all the options in one object
   * @param options - `callback`, `errorCallback`, `signal`, `timeout`
   * @returns an {@link AsyncResult} of the list
   * @throws `PoolStateError` "Pool not running"; `DataCloneError` naming the item that cannot travel
   * @example
   * ```ts
   * const list = await pool.mapAsync(square, [1, 2, 3]).get();
   * ```
   */
  mapAsync<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T>, chunksize?: number | MapAsyncOptions<R[]>, options?: AsyncOptions<R[]>): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, false, 'mapAsync()') as AsyncResult<R[]>;
  }

  /**
   * Like {@link Pool.map}, with each item an array of arguments: `fn(...item)`.
   *
   * Python: `Pool.starmap(func, iterable, chunksize=None)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the argument lists
   * @param chunksize - items per job, or `{ chunksize, signal, timeout }`
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
   * @param chunksize - items per job, or all the options in one object
   * @param options - `callback`, `errorCallback`, `signal`, `timeout`
   * @returns an {@link AsyncResult} of the list
   * @throws `PoolStateError` "Pool not running"; TypeError for an item that is not an array
   * @example
   * ```ts
   * const sums = await pool.starmapAsync(add, [[1, 2], [3, 4]]).get();
   * ```
   */
  starmapAsync<R = unknown, A extends readonly unknown[] = any[]>(fn: TaskFunction<A, R>, iterable: Iterable<A>, chunksize?: number | MapAsyncOptions<R[]>, options?: AsyncOptions<R[]>): AsyncResult<R[]> {
    return this.#mapAsync(fn, iterable, chunksize, options, true, 'starmapAsync()') as AsyncResult<R[]>;
  }

  #mapAsync(fn: unknown, iterable: Iterable<unknown>, third: unknown, fourth: unknown, star: boolean, owner: string): AsyncResult<unknown[]> {
    this.#assertRunning();
    const target = this.#target(fn);
    if (iterable === null || iterable === undefined || typeof (iterable as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`Expected \`iterable\` to be iterable (an array, a Set, a generator…), got ${describe(iterable)}`);
    }
    const { chunksize, options } = splitMapArgs(third, fourth, owner, owner.endsWith('Async()') ? MAP_ASYNC_OPTIONS : MAP_OPTIONS);
    const items = Array.isArray(iterable) ? iterable : Array.from(iterable);
    if (star) {
      items.forEach((item, i) => {
        if (!Array.isArray(item)) throw new TypeError(`Expected every starmap item to be an array of arguments, got ${describe(item)} at position ${i}`);
      });
    }
    const size = chunksize === undefined ? Math.max(1, Math.ceil(items.length / (4 * this.#processes))) : positiveInteger(chunksize, 'chunksize');
    const result = new AsyncResult<unknown[]>(callbacksOf(options));
    const jobs: Array<{ job: Prepared; start: number }> = [];
    for (let start = 0; start < items.length; start += size) {
      jobs.push({ job: this.#prepare(target, star, items.slice(start, start + size), (i) => `items[${start + i}]`), start });
    }
    if (jobs.length === 0) {
      settle(result, true, []);
      return result;
    }
    const results = new Array<unknown>(items.length);
    let remaining = jobs.length;
    let first: { index: number; error: Error } | undefined;
    const ids = () => jobs.map(({ job }) => job.id);
    const fail = (error: unknown) => {
      stop?.();
      settle(result, false, error);
      this.#drop(ids());
    };
    const stop = this.#watch(options, owner, ids, (error) => settle(result, false, error));
    for (const { job, start } of jobs) {
      this.#enqueue(job, {
        deliver: (outcome, host, pid) => {
          for (let i = 0; i < outcome.results.length; i++) results[start + i] = outcome.results[i];
          for (const { index, error } of outcome.errors) {
            if (!first || start + index < first.index) first = { index: start + index, error: reviveError(error, host, pid) };
          }
          if (--remaining > 0) return;
          stop?.();
          settle(result, !first, first ? first.error : results);
        },
        fail,
      });
    }
    return result;
  }

  /**
   * Calls `fn(item)` for every item and yields the results in input order as they are ready. The input is read
   * lazily (generators and async iterables work), at most max(64, 4 × processes) jobs ahead of what you consumed.
   * A failed item rejects at its position; the next `next()` goes on with the following one. Breaking out of the loop
   * removes the jobs still queued.
   *
   * Python: `Pool.imap(func, iterable, chunksize=1)`.
   *
   * @param fn - an exported function of the calling module, or `ref(module, name)`
   * @param iterable - the items: an iterable or an async iterable
   * @param chunksize - items per job (1 by default), or `{ chunksize }`
   * @returns an async iterable iterator of the results
   * @throws `PoolStateError` "Pool not running" (synchronously); TypeError / RangeError for bad arguments
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
   * @param chunksize - items per job (1 by default), or `{ chunksize }`
   * @returns an async iterable iterator of the results, in completion order
   * @throws `PoolStateError` "Pool not running" (synchronously); TypeError / RangeError for bad arguments
   * @example
   * ```ts
   * for await (const value of pool.imapUnordered(square, [1, 2, 3])) console.log(value);
   * ```
   */
  imapUnordered<R = unknown, T = any>(fn: TaskFunction<[T], R>, iterable: Iterable<T> | AsyncIterable<T>, chunksize: number | MapOptions = 1): AsyncIterableIterator<R> {
    return this.#imap(fn, iterable, chunksize, false, 'imapUnordered()') as AsyncIterableIterator<R>;
  }

  #imap(fn: unknown, iterable: Iterable<unknown> | AsyncIterable<unknown>, third: unknown, ordered: boolean, owner: string): AsyncIterableIterator<unknown> {
    this.#assertRunning();
    const target = this.#target(fn);
    const candidate = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
    if (typeof candidate?.[Symbol.iterator] !== 'function' && typeof candidate?.[Symbol.asyncIterator] !== 'function') {
      throw new TypeError(`Expected \`iterable\` to be an iterable or an async iterable, got ${describe(iterable)}`);
    }
    const { chunksize } = splitMapArgs(third, undefined, owner, MAP_OPTIONS);
    const size = positiveInteger(chunksize ?? 1, 'chunksize');
    const source: Iterator<unknown> | AsyncIterator<unknown> =
      typeof candidate?.[Symbol.asyncIterator] === 'function' ? candidate[Symbol.asyncIterator]!() : candidate![Symbol.iterator]!();
    const readAhead = Math.max(64, 4 * this.#processes);
    const outcomes = new Map<number, { ok: boolean; value: unknown }>();
    const finished: Array<{ ok: boolean; value: unknown }> = [];
    const ids = new Set<string>();
    let read = 0;
    let consumed = 0;
    let inflight = 0;
    let exhausted = false;
    let stopped = false;
    let reading = false;
    let inputError: { position: number; error: unknown } | undefined;
    let waiter: (() => void) | undefined;
    const wake = () => {
      const w = waiter;
      waiter = undefined;
      w?.();
    };
    const put = (position: number, outcome: { ok: boolean; value: unknown }) => {
      if (ordered) outcomes.set(position, outcome);
      else finished.push(outcome);
    };
    const pump = async (): Promise<void> => {
      if (reading) return;
      reading = true;
      try {
        while (!exhausted && !stopped && inflight < readAhead) {
          const chunk: unknown[] = [];
          while (chunk.length < size) {
            let step: IteratorResult<unknown>;
            try {
              step = await source.next();
            } catch (error) {
              inputError = { position: read + chunk.length, error };
              exhausted = true;
              break;
            }
            if (step.done) {
              exhausted = true;
              break;
            }
            chunk.push(step.value);
          }
          if (chunk.length === 0 || stopped) break;
          const start = read;
          read += chunk.length;
          let job: Prepared;
          try {
            job = this.#prepare(target, false, chunk, (i) => `items[${start + i}]`);
          } catch (error) {
            chunk.forEach((_, i) => put(start + i, { ok: false, value: error }));
            continue;
          }
          inflight++;
          ids.add(job.id);
          const done = () => {
            inflight--;
            ids.delete(job.id);
            wake();
            void pump();
          };
          this.#enqueue(job, {
            deliver: (outcome, host, pid) => {
              const errors = new Map(outcome.errors.map(({ index, error }) => [index, reviveError(error, host, pid)]));
              chunk.forEach((_, i) => put(start + i, errors.has(i) ? { ok: false, value: errors.get(i) } : { ok: true, value: outcome.results[i] }));
              done();
            },
            fail: (error) => {
              chunk.forEach((_, i) => put(start + i, { ok: false, value: error }));
              done();
            },
          });
        }
      } finally {
        reading = false;
        wake();
      }
    };
    void pump();
    const stop = () => {
      stopped = true;
      this.#drop([...ids]);
      void (source.return?.() as Promise<unknown> | undefined)?.catch?.(() => {});
      wake();
    };
    const iterator: AsyncIterableIterator<unknown> = {
      next: async () => {
        for (;;) {
          const outcome = ordered ? outcomes.get(consumed) : finished.shift();
          if (outcome) {
            outcomes.delete(consumed);
            consumed++;
            void pump();
            if (!outcome.ok) throw outcome.value;
            return { value: outcome.value, done: false };
          }
          if (inputError && consumed === inputError.position) {
            const { error } = inputError;
            inputError = undefined;
            stopped = true;
            throw error;
          }
          if (stopped || (exhausted && !reading && consumed === read && inputError === undefined)) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (waiter = resolve));
        }
      },
      return: async () => {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Stops accepting work; work already submitted still runs. With `{ cancelPending: true }`, jobs no worker took yet
   * are removed and reject with an `AbortError`.
   *
   * Python: `Pool.close()`.
   *
   * @param options - `cancelPending`: drop the queued work
   * @throws TypeError for an unknown option
   * @example
   * ```ts
   * pool.close();
   * await pool.join();
   * ```
   */
  close(options?: CloseOptions): void {
    const { cancelPending } = checkOptions(options, CLOSE_OPTIONS, 'close()');
    if (this.#state === 'run') this.#state = 'close';
    if (!cancelPending) return;
    const error = new AbortError('The task was cancelled by close({ cancelPending: true }) before a worker took it');
    for (const [id, pending] of [...this.#jobs]) {
      void Promise.resolve(this.#flush)
        .then(() => this.#queue.remove(id))
        .then((removed) => {
          if (removed === 1 && this.#jobs.delete(id)) {
            pending.fail(error);
            this.#wakeIdle();
          }
        })
        .catch(() => {});
    }
  }

  /**
   * Waits for the submitted work to finish after `close()` (or for `terminate()`), then removes the pool's keys
   * from Redis and disconnects.
   *
   * Python: `Pool.join()`.
   *
   * @returns a promise resolved when the pool is done
   * @throws `PoolStateError` (as a rejection) "Pool is still running" before `close()` / `terminate()`
   * @example
   * ```ts
   * pool.close();
   * await pool.join();
   * ```
   */
  join(): Promise<void> {
    if (this.#state === 'run') return Promise.reject(new PoolStateError('Pool is still running: call close() or terminate() before join()'));
    if (this.#state === 'terminate') return this.#terminating!;
    return (this.#ending ??= (async () => {
      while (this.#jobs.size > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
      await this.#cleanUp();
    })());
  }

  /**
   * Stops at once: the pool's jobs still queued are removed from Redis, and every pending result rejects with
   * `PoolTerminatedError` (a job already running finishes on its worker; its result is dropped). Resolves once the
   * pool's keys are gone and its connections closed.
   *
   * Python: `Pool.terminate()`.
   *
   * @returns a promise resolved when done
   * @example
   * ```ts
   * await pool.terminate();
   * ```
   */
  terminate(): Promise<void> {
    return (this.#terminating ??= (async () => {
      this.#state = 'terminate';
      const ids = [...this.#jobs.keys()];
      this.#failAll(new PoolTerminatedError('The pool was terminated before this task finished: terminate() removes the queued jobs; use close() and join() to let them finish'));
      await this.#ending?.catch(() => {});
      await this.#cleanUp(ids);
    })());
  }

  async #cleanUp(ids: readonly string[] = []): Promise<void> {
    clearInterval(this.#heartbeat);
    const connected = await this.#ready.then(
      () => true,
      () => false,
    );
    // Bounded: with Redis gone (stopped, unreachable) commands would wait in ioredis's offline queue for ever.
    const cleaned =
      connected &&
      (await withDeadline(
        (async () => {
          await this.#flush;
          // First the record: a worker that takes one of our jobs now skips it, and pushes nothing.
          await this.#redis.del(this.#keys.alive);
          await Promise.all(ids.map((id) => this.#queue.remove(id).catch(() => 0)));
          await this.#redis.del(this.#keys.results);
          await this.#awaitRemoval([...this.#answered, ...ids]);
        })(),
        REMOVAL_WAIT_MS + CLEANUP_MS,
      ));
    this.#listener.disconnect();
    await withDeadline(this.#queue.close(), CLEANUP_MS);
    if (!cleaned || !(await withDeadline(this.#redis.quit(), CLEANUP_MS))) this.#redis.disconnect();
  }

  /**
   * Waits (a bounded while) for the workers to mark answered jobs complete: BullMQ then deletes their records
   * (`removeOnComplete`), and the pool leaves nothing behind. A worker pushes a result a moment before it does so.
   */
  async #awaitRemoval(ids: readonly string[]): Promise<void> {
    this.#answered = [];
    const deadline = Date.now() + REMOVAL_WAIT_MS;
    let left = ids;
    while (left.length > 0 && Date.now() < deadline) {
      const still: string[] = [];
      for (let i = 0; i < left.length; i += RESULT_BATCH) {
        const batch = left.slice(i, i + RESULT_BATCH);
        const pipeline = this.#redis.pipeline();
        for (const id of batch) pipeline.exists(this.#jobPrefix + id);
        const replies = (await pipeline.exec()) ?? [];
        batch.forEach((id, j) => {
          if (replies[j]?.[1] === 1) still.push(id);
        });
      }
      left = still;
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * `await using pool = new Pool(…)` terminates the pool at the end of the block.
   *
   * @returns the promise of {@link Pool.terminate}
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /**
   * The repr: `<Pool state=RUN queue=mp>`.
   *
   * @example
   * ```ts
   * console.log(String(pool)); // <Pool state=RUN queue=mp>
   * ```
   */
  toString(): string {
    return `<Pool state=${this.#state.toUpperCase()} queue=${this.#queue.name}>`;
  }

  /** `util.inspect` shows the repr too. */
  [inspect.custom](): string {
    return this.toString();
  }
}
