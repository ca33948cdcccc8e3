import type { TaskRef } from '@mp/core';
import type { Encoded } from '@mp/core/internal';

/**
 * The messages between the pool (host, `worker-slot.ts`) and a worker
 * (`worker-loop.ts`). Every message is a flat array whose first element says
 * what it is: flat arrays of primitives cost far less to clone, serialize and
 * parse than nested objects, and a round trip is made of little else. One
 * message carries a batch: the host sends every task a worker may take at
 * once; the worker answers with every result it finished since its last message.
 *
 * Host → worker
 * - `[RUN, defs, …tasks]`: `defs` is `0` or `[[fnId, module, name], …]`, the
 *   task functions this worker has not been told about yet; each task is
 *   {@link TASK_WIDTH} elements: `id, fnId, mode, args, argsShared`. The items
 *   of a map chunk that are all numbers come as one `Float64Array` (numbers.ts).
 * - `[STOP]`: exit once every task received is answered.
 * - `[CANCEL, id]`: the task was cancelled: if it has not started, answer it
 *   (with an error nobody reads) without running it. A running task is
 *   stopped by ending the worker instead.
 *
 * Worker → host
 * - `[READY]`: the initializer ran.
 * - `[DONE, busy, timed, …results]`: results in the order the tasks were
 *   received, {@link RESULT_WIDTH} elements each: `id, kind, payload, extra`
 *   (see `RESULT_*`). `busy` is the time (ms) spent running the `timed` of them
 *   whose function was already loaded (a first call that imports the task's
 *   module would mislead the pool's batching).
 * - `[INIT_FAILED, error]`, `[FATAL, error]` (an uncaught error outside any
 *   task is about to end the worker), `[EXIT, code]` (`process.exit(code)`).
 */

export const RUN = 0;
export const STOP = 1;
export const READY = 2;
export const DONE = 3;
export const INIT_FAILED = 4;
export const FATAL = 5;
export const EXIT = 6;
export const CANCEL = 7;

/** Elements per task in a RUN message. */
export const TASK_WIDTH = 5;
/** Elements per result in a DONE message. */
export const RESULT_WIDTH = 4;

/** payload: the value; extra: whether it holds shared objects. */
export const RESULT_VALUE = 0;
/** payload: an `ErrorRecord`; extra: 0. For a chunk: the whole chunk failed (its function could not be loaded). */
export const RESULT_ERROR = 1;
/** A chunk where some items failed. payload: the values (undefined where an item failed); extra: `[shared, [[index, ErrorRecord], …]]`. */
export const RESULT_PARTIAL = 2;
/** A chunk whose results are all numbers (see numbers.ts). payload: a `Float64Array` of them; extra: 0. */
export const RESULT_NUMBERS = 3;
/** A `MODE_MAP_SHARED` chunk whose results are all numbers: they are in its block, over the items. payload, extra: 0. */
export const RESULT_IN_PLACE = 4;

/** How the worker calls the task function. */
export const MODE_APPLY = 0;
/** `fn(item)` for each item of a chunk (map, imap). */
export const MODE_MAP = 1;
/** `fn(...item)` for each item of a chunk (starmap). */
export const MODE_STARMAP = 2;
/**
 * `fn(item)` for each number of a chunk held in shared memory (numbers.ts): args is
 * `[byteOffset, length]` of the block in the arena; each result that is a number is
 * written over its item, and the answer is `RESULT_IN_PLACE` when all are.
 */
export const MODE_MAP_SHARED = 3;
export type Mode = typeof MODE_APPLY | typeof MODE_MAP | typeof MODE_STARMAP | typeof MODE_MAP_SHARED;

/** A unit of work on the host (an `apply` call, or a chunk of a map), before it is packed into a RUN message. */
export interface WireTask {
  readonly id: number;
  readonly fn: TaskRef;
  readonly mode: Mode;
  /** The arguments (apply) or the items of the chunk (map, starmap): an array, or a `Float64Array` of a map chunk's numbers (numbers.ts). */
  readonly args: Encoded;
  /** Buffers to transfer with it (`'thread'`, when `move()` marked some): already moved off the caller's (see `moves.ts`). */
  readonly transfer: readonly ArrayBuffer[] | undefined;
}

/** What a worker is started with (the arguments of its `poolWorker` target, with `initargs`). */
export interface WorkerConfig {
  readonly method: 'thread' | 'process';
  readonly initializer: TaskRef | undefined;
  /**
   * One word of shared memory where the worker counts the tasks it has taken
   * from its queue (run, or skipped as cancelled), before it starts each: when
   * the worker dies, the host knows exactly which of its unanswered tasks had
   * started (and must not run again) and which never did. `undefined` where
   * the worker cannot see the host's shared memory (a 'process' worker of a
   * process-local arena): the worker then answers every task at once, so that
   * the oldest unanswered task is the one that was running.
   */
  readonly progress: Int32Array | undefined;
}
