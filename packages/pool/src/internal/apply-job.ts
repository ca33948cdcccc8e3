import { settleResult, type AsyncResult } from '../async-result.js';
import type { HostTask, Outcome, TaskSink } from './task.js';

/** The single task of an `apply` / `applyAsync`: its outcome settles the AsyncResult. */
export class ApplyJob implements TaskSink {
  readonly cancelled = false;
  readonly #result: AsyncResult<unknown>;

  constructor(result: AsyncResult<unknown>) {
    this.#result = result;
  }

  done(_task: HostTask, outcome: Outcome): void {
    settleResult(this.#result, outcome.ok, outcome.ok ? outcome.value : outcome.error);
  }
}
