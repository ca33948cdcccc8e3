/**
 * A pool of workers — Python's `Pool` and `AsyncResult` — on worker threads
 * or child processes.
 *
 * @packageDocumentation
 * @module @mp/pool
 */
export {
  Pool,
  type PoolOptions,
  type AsyncOptions,
  type TaskFunction,
  type TaskOptions,
  type MapOptions,
  type MapAsyncOptions,
  type CloseOptions,
} from './pool.js';
export { AsyncResult, type AsyncResultCallbacks } from './async-result.js';
export { move } from './move.js';
export {
  PoolStateError,
  WorkerLostError,
  PoolTerminatedError,
  PoolBrokenError,
  ResultNotReadyError,
  AbortError,
  PoolQueueFullError,
  type WorkerLossReason,
} from './errors.js';
export type { ResourceLimits } from './internal/worker-slot.js';
export type { PoolStats, Percentiles } from './internal/stats.js';
