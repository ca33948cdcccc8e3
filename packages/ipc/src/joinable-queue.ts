import { defineShared, share, type ShareContext, type SharedState } from '@mp/core';
import { TaskDoneError } from './errors.js';
import { adoptQueue, channelOf, Queue, type QueueState } from './queue.js';
import { runAsync, runSync } from './internal/waiting.js';

const TYPE = '@mp/ipc.JoinableQueue';

/**
 * A {@link Queue} that counts unfinished tasks: every `put` adds one, every
 * `taskDone()` removes one, and `join()` waits until none is left. The count
 * lives in shared memory, so producers, consumers and joiners may be in any
 * threads.
 *
 * Python: `multiprocessing.JoinableQueue`.
 *
 * @typeParam T - the items
 * @example
 * ```ts
 * const q = new JoinableQueue<number>();
 * new Process({ target: worker, args: [q] }).start(); // worker: for (;;) { work(await q.get()); q.taskDone(); }
 * for (let i = 0; i < 10; i++) await q.put(i);
 * await q.join(); // every item was processed
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  static {
    defineShared<QueueState>(TYPE, (state) => adoptQueue(JoinableQueue, state.control));
  }

  /**
   * Marks one item taken with `get` as processed. Call it once per item.
   *
   * Python: `task_done()`.
   *
   * @throws {@link TaskDoneError} when called more times than items were put
   * @example
   * ```ts
   * const job = await q.get();
   * run(job);
   * q.taskDone();
   * ```
   */
  taskDone(): void {
    if (!channelOf(this).taskDone()) {
      throw new TaskDoneError(
        'task_done() called too many times: every item put is already marked done. ' +
          'Call taskDone() once per item taken with get().',
      );
    }
  }

  /**
   * Waits until every item put so far has been marked done with
   * {@link JoinableQueue.taskDone}. Keeps the event loop alive while it waits.
   *
   * Python: `join()`.
   *
   * @returns a promise that resolves when no task is unfinished
   * @example
   * ```ts
   * await q.join();
   * ```
   */
  async join(): Promise<void> {
    await runAsync(channelOf(this).join());
  }

  /**
   * Like {@link JoinableQueue.join}, blocking the calling thread.
   *
   * Python: `join()`.
   *
   * @example
   * ```ts
   * q.joinSync();
   * ```
   */
  joinSync(): void {
    runSync(channelOf(this).join());
  }

  /** @internal The shared-object protocol: the queue travels by identity. */
  override [share](context: ShareContext): SharedState {
    return { ...super[share](context), type: TYPE };
  }
}
