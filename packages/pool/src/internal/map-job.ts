import type { TaskRef } from '@mp/core';
import { settleResult, type AsyncResult } from '../async-result.js';
import { watch, type CancelOptions } from './cancel.js';
import type { Mode } from './protocol.js';
import type { Producer, Scheduler } from './scheduler.js';
import type { HostTask, Outcome, TaskSink } from './task.js';

/**
 * The list of a `map`/`starmap`: every chunk runs, even after an error
 * (Python's map is not fail-fast either); once all are in, the result is the
 * list, or the error of the first failed item by position.
 *
 * It submits its chunks itself: all at once, or — when the pool's `maxQueue`
 * is reached — as room opens, so that a map never fails for lack of room.
 * While chunks are left to submit it is a {@link Producer}: the pool stays
 * alive for it after `close()`, and `terminate()` or `close({ cancelPending })` fail it.
 */
export class MapJob implements TaskSink, Producer {
  cancelled = false;
  /**
   * The result, allocated at its full length when the first chunk comes in (not
   * before the chunks are sent) and filled as they come: each value is copied
   * once, while other chunks still run, and nothing is left to join at the end
   * (growing an array of 100,000 values by push() costs more than the whole rest
   * of a map of numbers).
   */
  #values: unknown[] | undefined;
  readonly #length: number;
  readonly #chunksize: number;
  readonly #result: AsyncResult<unknown[]>;
  readonly #scheduler: Scheduler;
  readonly #fn: TaskRef;
  readonly #mode: Mode;
  readonly #items: readonly unknown[];
  /** Position of the next item to submit. */
  #next = 0;
  #producing = false;
  /** The tasks submitted, kept only when the call can be cancelled. */
  readonly #tasks: HostTask[] | undefined;
  #dispose: (() => void) | undefined;
  #left: number;
  #firstError: { position: number; error: unknown } | undefined;

  constructor(
    scheduler: Scheduler,
    result: AsyncResult<unknown[]>,
    fn: TaskRef,
    mode: Mode,
    items: readonly unknown[],
    chunksize: number,
    cancel: CancelOptions | undefined,
  ) {
    this.#scheduler = scheduler;
    this.#result = result;
    this.#fn = fn;
    this.#mode = mode;
    this.#items = items;
    this.#chunksize = chunksize;
    const chunks = items.length === 0 ? 0 : Math.ceil(items.length / chunksize);
    this.#length = items.length;
    this.#left = chunks;
    if (cancel) {
      const watched = watch(cancel, 'The map', (error) => this.#stop(error));
      if (watched instanceof Error) {
        // Already aborted: nothing runs; still settled after the caller has its AsyncResult.
        this.cancelled = true;
        queueMicrotask(() => settleResult(result, false, watched));
        return;
      }
      this.#dispose = watched;
      this.#tasks = [];
    }
    // Nothing to run: still settle after the caller has its AsyncResult, as callbacks always run later.
    if (chunks === 0) {
      this.#dispose?.();
      queueMicrotask(() => settleResult(result, true, []));
      return;
    }
    this.#feed();
  }

  /** Submits chunks while the queue has room; waits for room for the rest. */
  #feed(): void {
    const items = this.#items;
    const size = this.#chunksize;
    while (!this.cancelled && this.#next < items.length && this.#scheduler.room() > 0) {
      const start = this.#next;
      const chunk = items.slice(start, start + size);
      this.#next += chunk.length;
      const task = this.#scheduler.submit(this.#fn, this.#mode, chunk, this, start, chunk.length);
      this.#tasks?.push(task);
    }
    if (this.cancelled || this.#next >= items.length) {
      if (this.#producing) {
        this.#producing = false;
        this.#scheduler.removeProducer(this);
      }
      return;
    }
    if (!this.#producing) {
      this.#producing = true;
      this.#scheduler.addProducer(this);
    }
    this.#scheduler.whenRoom(() => this.#feed());
  }

  /** Cancelled (signal, deadline, or the pool stopped): the result rejects, the work still queued or running stops. */
  #stop(error: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.#dispose?.();
    if (this.#producing) {
      this.#producing = false;
      this.#scheduler.removeProducer(this);
    }
    if (this.#tasks) for (const task of this.#tasks) this.#scheduler.cancel(task);
    settleResult(this.#result, false, error);
  }

  onClose(): void {
    // Closed: the chunks left are still submitted (as room opens).
  }

  onStop(error: unknown): void {
    this.#stop(error);
  }

  #fail(position: number, error: unknown): void {
    if (!this.#firstError || position < this.#firstError.position) this.#firstError = { position, error };
  }

  done(task: HostTask, outcome: Outcome): void {
    if (this.cancelled) return;
    if (outcome.ok) {
      // An array, or a Float64Array of numbers (numbers.ts).
      const values = outcome.value as ArrayLike<unknown>;
      const into = (this.#values ??= new Array<unknown>(this.#length));
      for (let i = 0, at = task.index; i < values.length; i++, at++) into[at] = values[i];
      if (outcome.errors) for (const [i, error] of outcome.errors) this.#fail(task.index + i, error);
    } else {
      this.#fail(task.index, outcome.error);
    }
    if (--this.#left > 0) return;
    this.#dispose?.();
    if (this.#firstError) {
      settleResult(this.#result, false, this.#firstError.error);
      return;
    }
    settleResult(this.#result, true, this.#values ?? []);
  }
}
