import type { SharedNumbers } from './number-blocks.js';
import type { WireTask } from './protocol.js';
import type { WorkerSlot } from './worker-slot.js';

/** What became of a task, on the host: a value (and, for a chunk, the errors of some items), or one error. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly errors?: ReadonlyArray<readonly [number, unknown]> | undefined }
  | { readonly ok: false; readonly error: unknown };

/** Where a task's outcome goes: an AsyncResult, a map's list, an imap iterator. */
export interface TaskSink {
  /** True when nobody wants the outcome any more (an imap iterator that was closed): not sent if still queued. */
  readonly cancelled: boolean;
  /**
   * Takes the outcome. A chunk's value must be read before this returns: it may be a view of a
   * block of shared memory that the pool frees right after (number-blocks.ts).
   */
  done(task: HostTask, outcome: Outcome): void;
}

/** Waiting in the pool's queue. */
export const TASK_QUEUED = 0;
/** Sent to {@link HostTask.slot}, not answered yet. */
export const TASK_SENT = 1;
/** Answered, failed or cancelled: nothing more to do with it. */
export const TASK_DONE = 2;
export type TaskState = typeof TASK_QUEUED | typeof TASK_SENT | typeof TASK_DONE;

/** A task on the host: what is sent, where its outcome goes, and which items of the job it covers. */
export interface HostTask {
  readonly wire: WireTask;
  readonly sink: TaskSink;
  /** Position of its first item in the job (0 for apply). */
  readonly index: number;
  /** Number of items (1 for apply). */
  readonly count: number;
  /** Where it is now (cancellation needs to know: drop it from the queue, or stop its worker). */
  state: TaskState;
  /** The worker it was sent to, while {@link TASK_SENT}. */
  slot: WorkerSlot | undefined;
  /** When it was queued, then when it was sent (`performance.now()`): the wait and run times of `stats()`. */
  at: number;
  /**
   * The block of shared memory of a `MODE_MAP_SHARED` chunk (numbers.ts), until the pool frees it:
   * once answered, dropped before it was sent, or its worker exited.
   */
  numbers: SharedNumbers | undefined;
}
