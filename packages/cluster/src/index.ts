/**
 * The `@mp/pool` Pool across many machines: `mp-worker` processes serve a
 * BullMQ queue on Redis — Ray's `ray.util.multiprocessing.Pool`.
 *
 * @packageDocumentation
 * @module @mp/cluster
 */
export { Pool, type PoolOptions } from './pool.js';
export { startWorker, type WorkerOptions, type ClusterWorker } from './worker.js';
export { ClusterConnectionError, ClusterDataLostError } from './errors.js';
// The same classes as @mp/pool's, so that `instanceof` holds whichever package a program imports them from.
export { AsyncResult, AbortError, PoolStateError, PoolTerminatedError, ResultNotReadyError, WorkerLostError } from '@mp/pool';
export type { TaskFunction, TaskOptions, MapOptions, MapAsyncOptions, AsyncOptions, CloseOptions, AsyncResultCallbacks } from '@mp/pool';
