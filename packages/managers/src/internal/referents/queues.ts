import { describe } from '@mp/core/internal';
import { EmptyError, FullError, TaskDoneError } from '@mp/ipc';
import { caller } from './caller.js';
import { deadlineOf, toTimeout, WaitList } from './waiters.js';

/** The manager's Queue (Python's `queue.Queue` in the manager). */
export class QueueReferent {
  static readonly exposed: readonly string[] = ['put', 'putNowait', 'get', 'getNowait', 'qsize', 'empty', 'full'];
  readonly #maxsize: number;
  readonly #items: unknown[] = [];
  readonly #notEmpty = new WaitList();
  readonly #notFull = new WaitList();

  constructor(maxsize: unknown = 0) {
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) throw new TypeError(`Expected \`maxsize\` to be an integer, got ${describe(maxsize)}`);
    this.#maxsize = maxsize;
  }

  async put(item: unknown, timeout?: number | null): Promise<void> {
    const who = caller();
    const deadline = deadlineOf(toTimeout(timeout));
    while (this.full()) {
      if (!(await this.#notFull.wait(who, deadline))) {
        throw new FullError(`the queue is full (maxsize ${this.#maxsize}): no room came within the timeout. Take items first, or wait longer.`);
      }
    }
    this.#items.push(item);
    this.added();
    this.#notEmpty.wakeOne();
  }

  putNowait(item: unknown): Promise<void> {
    return this.put(item, 0);
  }

  async get(timeout?: number | null): Promise<unknown> {
    const who = caller();
    const deadline = deadlineOf(toTimeout(timeout));
    while (this.#items.length === 0) {
      if (!(await this.#notEmpty.wait(who, deadline))) {
        throw new EmptyError(timeout === 0 ? 'the queue is empty.' : 'the queue stayed empty until the timeout passed.');
      }
    }
    const item = this.#items.shift();
    this.#notFull.wakeOne();
    return item;
  }

  getNowait(): Promise<unknown> {
    return this.get(0);
  }

  qsize(): number {
    return this.#items.length;
  }

  empty(): boolean {
    return this.#items.length === 0;
  }

  full(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  /** For JoinableQueue: an item went in. */
  protected added(): void {}
}

/** The manager's JoinableQueue. */
export class JoinableQueueReferent extends QueueReferent {
  static override readonly exposed: readonly string[] = [...QueueReferent.exposed, 'taskDone', 'join'];
  #unfinished = 0;
  readonly #done = new WaitList();

  protected override added(): void {
    this.#unfinished++;
  }

  taskDone(): void {
    if (this.#unfinished === 0) throw new TaskDoneError('task_done() called too many times: taskDone() was called more times than items were put.');
    if (--this.#unfinished === 0) this.#done.wakeAll();
  }

  async join(): Promise<void> {
    const who = caller();
    while (this.#unfinished > 0) {
      // False only when the caller went away: nobody is left to tell.
      if (!(await this.#done.wait(who, Infinity))) return;
    }
  }
}
