import type { WireTask } from './protocol.js';

/** What became of a task, on the host: a value (and, for a chunk, the errors of some items), or one error. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly errors?: ReadonlyArray<readonly [number, unknown]> | undefined }
  | { readonly ok: false; readonly error: unknown };

/** Where a task's outcome goes: an AsyncResult, a map's list, an imap iterator. */
export interface TaskSink {
  /** True when nobody wants the outcome any more (an imap iterator that was closed): not sent if still queued. */
  readonly cancelled: boolean;
  done(task: HostTask, outcome: Outcome): void;
}

/** A task on the host: what is sent, where its outcome goes, and which items of the job it covers. */
export interface HostTask {
  readonly wire: WireTask;
  readonly sink: TaskSink;
  /** Position of its first item in the job (0 for apply). */
  readonly index: number;
  /** Number of items (1 for apply). */
  readonly count: number;
}
