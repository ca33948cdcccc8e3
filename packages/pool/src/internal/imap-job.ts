import type { TaskRef } from '@mp/core';
import { watch, type CancelOptions } from './cancel.js';
import { Deque } from './deque.js';
import { MODE_MAP } from './protocol.js';
import type { Producer, Scheduler } from './scheduler.js';
import type { HostTask, Outcome, TaskSink } from './task.js';

type Entry = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

interface Waiter {
  resolve(result: IteratorResult<unknown>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/**
 * An `imap` / `imapUnordered` in flight. It reads its input lazily — at most
 * `readAhead` items beyond what the consumer has taken (all of it once the
 * pool is closed, so that `join()` cannot wait on a consumer) — submits it
 * chunk by chunk, and hands results to the consumer in input order (`imap`) or
 * as they come (`imapUnordered`). An error thrown by the input is delivered at
 * its position, and ends the iteration.
 *
 * Leaving the loop (`return()`), an aborted signal or the deadline cancel the
 * rest: chunks still queued are dropped, running ones stopped (their workers
 * replaced). The last two reject the consumer's next step with the error.
 */
export class ImapJob implements TaskSink, Producer {
  cancelled = false;
  readonly #scheduler: Scheduler;
  readonly #fn: TaskRef;
  readonly #chunksize: number;
  readonly #ordered: boolean;
  readonly #readAhead: number;
  readonly #source: Iterator<unknown> | AsyncIterator<unknown>;
  readonly #async: boolean;
  #unbounded = false;
  #sourceDone = false;
  #pumping = false;
  #stopped = false;
  #inputError: { position: number; error: unknown } | undefined;
  /** Items read from the input: positions `0 … pulled-1` exist. */
  #pulled = 0;
  /** Items given to the consumer (results and errors). */
  #delivered = 0;
  #finished = false;
  readonly #byPosition = new Map<number, Entry>();
  readonly #arrived = new Deque<Entry>();
  readonly #waiters = new Deque<Waiter>();
  /** Chunks submitted and not answered: what cancellation stops. */
  readonly #live = new Set<HostTask>();
  /** Set when the signal or the deadline fired: the consumer's next step rejects with it, once. */
  #cancelError: { error: unknown } | undefined;
  #dispose: (() => void) | undefined;
  #waitingRoom = false;

  constructor(
    scheduler: Scheduler,
    fn: TaskRef,
    input: Iterable<unknown> | AsyncIterable<unknown>,
    chunksize: number,
    ordered: boolean,
    cancel: CancelOptions | undefined,
  ) {
    this.#scheduler = scheduler;
    this.#fn = fn;
    this.#chunksize = chunksize;
    this.#ordered = ordered;
    this.#readAhead = Math.max(64, 4 * scheduler.processes) * chunksize;
    const asyncIterator = (input as AsyncIterable<unknown>)[Symbol.asyncIterator];
    this.#async = typeof asyncIterator === 'function';
    this.#source = this.#async ? asyncIterator!.call(input) : (input as Iterable<unknown>)[Symbol.iterator]();
    if (cancel) {
      const watched = watch(cancel, 'The imap', (error) => this.#cancel(error));
      if (watched instanceof Error) {
        // Already aborted: reads and runs nothing; the first next() rejects.
        this.cancelled = true;
        this.#sourceDone = true;
        this.#cancelError = { error: watched };
        return;
      }
      this.#dispose = watched;
    }
    scheduler.addProducer(this);
    // Start reading after the caller has its iterator: imap() itself reads nothing.
    queueMicrotask(() => this.#pump());
  }

  /** Stops the work: nothing more read, queued chunks dropped, running ones stopped. */
  #stopWork(): void {
    this.cancelled = true;
    this.#dispose?.();
    this.#endInput(true);
    for (const task of this.#live) this.#scheduler.cancel(task);
    this.#live.clear();
  }

  /** The signal or the deadline fired. */
  #cancel(error: unknown): void {
    if (this.#finished) return;
    this.#stopWork();
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.reject(error);
      this.#finish();
    } else {
      this.#cancelError = { error };
    }
  }

  // --- TaskSink -----------------------------------------------------------

  done(task: HostTask, outcome: Outcome): void {
    if (this.cancelled) return;
    this.#live.delete(task);
    const store = (position: number, entry: Entry) => {
      if (this.#ordered) this.#byPosition.set(position, entry);
      else this.#arrived.push(entry);
    };
    if (outcome.ok) {
      const values = outcome.value as unknown[];
      let failed: Map<number, unknown> | undefined;
      if (outcome.errors) failed = new Map(outcome.errors);
      for (let i = 0; i < task.count; i++) {
        store(task.index + i, failed?.has(i) ? { ok: false, error: failed.get(i) } : { ok: true, value: values[i] });
      }
    } else {
      for (let i = 0; i < task.count; i++) store(task.index + i, { ok: false, error: outcome.error });
    }
    this.#flush();
  }

  // --- Producer -----------------------------------------------------------

  onClose(): void {
    this.#unbounded = true;
    this.#pump();
  }

  onStop(): void {
    this.#stopped = true;
    this.#dispose?.();
    this.#endInput(true);
    this.#flush();
  }

  // --- The consumer's side --------------------------------------------------

  next(): Promise<IteratorResult<unknown>> {
    if (this.#finished) return Promise.resolve(DONE);
    if (this.#cancelError) {
      const { error } = this.#cancelError;
      this.#finish();
      return Promise.reject(error);
    }
    if (this.#waiters.length === 0) {
      const now = this.#takeNow();
      if (now) return now;
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#pump();
      this.#flush();
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.#finished) {
      this.#stopWork();
      this.#finish();
    }
    return Promise.resolve(DONE);
  }

  /** The next settled step for the consumer, if one is available now. */
  #takeNow(): Promise<IteratorResult<unknown>> | undefined {
    let entry: Entry | undefined;
    if (this.#ordered) {
      entry = this.#byPosition.get(this.#delivered);
      if (entry) this.#byPosition.delete(this.#delivered);
    } else {
      entry = this.#arrived.shift();
    }
    if (entry) {
      this.#delivered++;
      this.#pump();
      return entry.ok ? Promise.resolve({ done: false, value: entry.value }) : Promise.reject(entry.error);
    }
    if (this.#inputError && this.#delivered === this.#inputError.position) {
      const { error } = this.#inputError;
      this.#finish();
      return Promise.reject(error);
    }
    if (this.#sourceDone && this.#delivered >= this.#pulled) {
      this.#finish();
      return Promise.resolve(DONE);
    }
    return undefined;
  }

  #flush(): void {
    while (this.#waiters.length > 0) {
      const step = this.#takeNow();
      if (!step) return;
      const waiter = this.#waiters.shift()!;
      step.then(waiter.resolve, waiter.reject);
    }
  }

  #finish(): void {
    this.#finished = true;
    this.#dispose?.();
    this.#byPosition.clear();
    for (let waiter = this.#waiters.shift(); waiter; waiter = this.#waiters.shift()) waiter.resolve(DONE);
  }

  // --- Reading the input ------------------------------------------------------

  #endInput(closeSource: boolean): void {
    if (this.#sourceDone) return;
    this.#sourceDone = true;
    this.#scheduler.removeProducer(this);
    if (closeSource) {
      try {
        const closing = this.#source.return?.();
        if (closing && typeof (closing as Promise<unknown>).then === 'function') (closing as Promise<unknown>).catch(() => {});
      } catch {
        // The input's own cleanup failed: nothing to report it to.
      }
    }
  }

  #room(): number {
    // The pool's maxQueue: wait for room rather than fail (see #waitForRoom).
    if (this.#scheduler.room() <= 0) return 0;
    if (this.#unbounded) return Infinity;
    return this.#readAhead - (this.#pulled - this.#delivered);
  }

  #pump(): void {
    if (this.#pumping || this.#sourceDone) return;
    if (this.#room() <= 0) {
      this.#waitForRoom();
      return;
    }
    this.#pumping = true;
    void this.#read().finally(() => {
      this.#pumping = false;
      this.#waitForRoom();
      this.#flush();
    });
  }

  /** The pool's queue is full (`maxQueue`): read on once a task left it. */
  #waitForRoom(): void {
    if (this.#waitingRoom || this.#sourceDone || this.cancelled || this.#scheduler.room() > 0) return;
    this.#waitingRoom = true;
    this.#scheduler.whenRoom(() => {
      this.#waitingRoom = false;
      this.#pump();
    });
  }

  async #read(): Promise<void> {
    while (!this.#sourceDone && this.#room() > 0) {
      const items: unknown[] = [];
      const start = this.#pulled;
      while (items.length < this.#chunksize) {
        let step: IteratorResult<unknown>;
        try {
          step = this.#async ? await (this.#source as AsyncIterator<unknown>).next() : (this.#source as Iterator<unknown>).next();
        } catch (error) {
          if (!this.#stopped && !this.cancelled) this.#inputError = { position: start + items.length, error };
          this.#endInput(false);
          break;
        }
        if (this.#stopped || this.cancelled) return;
        if (step.done) {
          this.#endInput(false);
          break;
        }
        items.push(step.value);
      }
      if (items.length > 0) {
        this.#pulled += items.length;
        this.#live.add(this.#scheduler.submit(this.#fn, MODE_MAP, items, this, start, items.length));
      }
    }
  }
}
