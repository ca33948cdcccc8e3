import { settleResult, type AsyncResult } from '../async-result.js';
import type { HostTask, Outcome, TaskSink } from './task.js';

/** The single task of an `apply` / `applyAsync`: its outcome settles the AsyncResult. */
export class ApplyJob implements TaskSink {
  readonly cancelled = false;
  readonly #result: AsyncResult<unknown>;
  /** Stops watching the call's signal and deadline (set only when it has one). */
  dispose: (() => void) | undefined;

  constructor(result: AsyncResult<unknown>) {
    this.#result = result;
  }

  done(_task: HostTask, outcome: Outcome): void {
    this.dispose?.();
    settleResult(this.#result, outcome.ok, outcome.ok ? outcome.value : outcome.error);
  }
}
