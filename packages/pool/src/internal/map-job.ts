import { settleResult, type AsyncResult } from '../async-result.js';
import type { HostTask, Outcome, TaskSink } from './task.js';

/**
 * The list of a `map`/`starmap`: every chunk runs, even after an error
 * (Python's map is not fail-fast either); once all are in, the result is the
 * list, or the error of the first failed item by position.
 */
export class MapJob implements TaskSink {
  readonly cancelled = false;
  /** The values of each chunk, by chunk number; joined into one packed array at the end. */
  readonly #chunks: unknown[][];
  readonly #chunksize: number;
  readonly #result: AsyncResult<unknown[]>;
  #left: number;
  #firstError: { position: number; error: unknown } | undefined;

  constructor(result: AsyncResult<unknown[]>, chunksize: number, chunks: number) {
    this.#result = result;
    this.#chunksize = chunksize;
    this.#chunks = new Array<unknown[]>(chunks);
    this.#left = chunks;
    // Nothing to run: still settle after the caller has its AsyncResult, as callbacks always run later.
    if (chunks === 0) queueMicrotask(() => settleResult(result, true, []));
  }

  #fail(position: number, error: unknown): void {
    if (!this.#firstError || position < this.#firstError.position) this.#firstError = { position, error };
  }

  done(task: HostTask, outcome: Outcome): void {
    if (outcome.ok) {
      this.#chunks[task.index / this.#chunksize] = outcome.value as unknown[];
      if (outcome.errors) for (const [i, error] of outcome.errors) this.#fail(task.index + i, error);
    } else {
      this.#fail(task.index, outcome.error);
    }
    if (--this.#left > 0) return;
    if (this.#firstError) {
      settleResult(this.#result, false, this.#firstError.error);
      return;
    }
    settleResult(this.#result, true, join(this.#chunks));
  }
}

/** Arguments per `concat` call: far below the engine's limit on the number of arguments. */
const CONCAT_BATCH = 8_192;

/** The chunks' values as one packed array (`concat` copies packed arrays in bulk). */
function join(chunks: unknown[][]): unknown[] {
  if (chunks.length <= CONCAT_BATCH) return ([] as unknown[]).concat(...chunks);
  let values: unknown[] = [];
  for (let i = 0; i < chunks.length; i += CONCAT_BATCH) values = values.concat(...chunks.slice(i, i + CONCAT_BATCH));
  return values;
}
