/**
 * Raised when a pool is used in a state that does not allow it: submitting work
 * after `close()` or `terminate()` ("Pool not running"), or `join()` before
 * either ("Pool is still running").
 *
 * Python: the `ValueError` raised by `multiprocessing.pool.Pool`.
 *
 * @example
 * ```ts
 * pool.close();
 * pool.applyAsync(square, [2]); // PoolStateError: Pool not running: …
 * ```
 */
export class PoolStateError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_POOL_STATE' = 'ERR_MP_POOL_STATE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolStateError';
  }
}

/** How a worker ended, as far as the pool could tell. */
export type WorkerLossReason = 'exit' | 'crash' | 'signal' | 'out-of-memory';

/**
 * The error of a task whose worker died while it held the task: the worker
 * exited (`process.exit()` in the task), crashed (an uncaught error outside
 * the task), was killed, or ran out of memory. The pool replaces the worker;
 * the task is not run again (nor is one that had just finished there but whose
 * result had not left the worker yet). Tasks the worker had received but not
 * started are given to another worker; no task runs twice. The message and
 * {@link WorkerLostError.worker} name the worker.
 *
 * Python: none — CPython's Pool waits forever in this case (bpo-22393).
 *
 * @example
 * ```ts
 * try { await pool.apply(exitNow); }
 * catch (error) { if (error instanceof WorkerLostError) console.log(error.exitCode); }
 * ```
 */
export class WorkerLostError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_WORKER_LOST' = 'ERR_MP_WORKER_LOST';
  /** The worker's name, e.g. `ThreadPoolWorker-3`. */
  readonly worker: string;
  /** Its exit code: n for `process.exit(n)`, 1 for a crash, a negative signal number when killed. */
  readonly exitCode: number;
  /** The signal that killed it (`'SIGKILL'`), or `null`. */
  readonly signal: NodeJS.Signals | null;
  /** How it ended. */
  readonly reason: WorkerLossReason;

  constructor(
    message: string,
    details: { worker: string; exitCode: number; signal: NodeJS.Signals | null; reason: WorkerLossReason },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WorkerLostError';
    this.worker = details.worker;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.reason = details.reason;
  }
}

/**
 * The error of every task still queued or running when `terminate()` was
 * called (also by `await using`): the pool rejects them rather than leave their
 * promises pending forever.
 *
 * Python: none — CPython drops such tasks and their results never arrive.
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(slow);
 * await pool.terminate();
 * await result.get(); // PoolTerminatedError
 * ```
 */
export class PoolTerminatedError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_POOL_TERMINATED' = 'ERR_MP_POOL_TERMINATED';

  constructor(message = 'The pool was terminated before this task finished: terminate() stops the workers at once; use close() and join() to let queued work finish') {
    super(message);
    this.name = 'PoolTerminatedError';
  }
}

/**
 * The pool cannot run tasks: a worker's initializer threw (the cause is its
 * error), or workers cannot start at all (5 in a row ended by themselves
 * before they were ready, none ready in between; the cause is the last one's
 * {@link WorkerLostError}). Every task queued then rejects with this error and
 * the pool stops, as a `concurrent.futures` pool becomes broken. A worker
 * killed while it starts does not break the pool: it is replaced.
 *
 * Python: `concurrent.futures.process.BrokenProcessPool` (a
 * `multiprocessing.Pool` respawns the failing worker forever instead).
 *
 * @example
 * ```ts
 * const pool = new Pool({ initializer: failingInit });
 * await pool.apply(square, [2]); // PoolBrokenError: … its initializer threw …
 * ```
 */
export class PoolBrokenError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_POOL_BROKEN' = 'ERR_MP_POOL_BROKEN';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolBrokenError';
  }
}

/**
 * Raised by `AsyncResult.successful()` before the result is ready.
 *
 * Python: the `ValueError` raised by `AsyncResult.successful()`.
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(slow);
 * result.successful(); // ResultNotReadyError
 * ```
 */
export class ResultNotReadyError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_RESULT_NOT_READY' = 'ERR_MP_RESULT_NOT_READY';

  constructor(message: string) {
    super(message);
    this.name = 'ResultNotReadyError';
  }
}

/**
 * The error of work that was cancelled: its `AbortSignal` was aborted
 * (`cause` is `signal.reason`, as Node's own APIs do), `break` left a
 * `for await` over `imap`, or `close({ cancelPending: true })` dropped it
 * while it waited for a worker. Work that was running is stopped by replacing
 * its worker.
 *
 * Python: `concurrent.futures.CancelledError` (for `Future.cancel()` and
 * `shutdown(cancel_futures=True)`).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const result = pool.apply(slow, [], { signal: controller.signal });
 * controller.abort();
 * await result; // AbortError, cause: the abort reason
 * ```
 */
export class AbortError extends Error {
  /** Node's code for an aborted operation. */
  readonly code: 'ABORT_ERR' = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/**
 * Thrown (synchronously by `applyAsync`, as a rejection by `apply`) when the
 * pool's queue already holds `maxQueue` tasks waiting for a worker: the task
 * is refused, never queued silently. Wait for room with `await
 * pool.drained()`, or shed the load. `map` and `imap` never throw it: they
 * wait for room.
 *
 * Python: none (`concurrent.futures` queues without limit).
 *
 * @example
 * ```ts
 * try { pool.applyAsync(work, [job]); }
 * catch (error) { if (error instanceof PoolQueueFullError) await pool.drained(); }
 * ```
 */
export class PoolQueueFullError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_POOL_QUEUE_FULL' = 'ERR_MP_POOL_QUEUE_FULL';
  /** The pool's `maxQueue`. */
  readonly maxQueue: number;

  constructor(maxQueue: number) {
    super(
      `The pool's queue is full: ${maxQueue} task(s) already wait for a worker (maxQueue: ${maxQueue}). ` +
        'Wait for room with `await pool.drained()`, reject the request, or raise `maxQueue`.',
    );
    this.name = 'PoolQueueFullError';
    this.maxQueue = maxQueue;
  }
}
