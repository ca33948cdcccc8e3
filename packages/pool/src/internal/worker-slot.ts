import { constants } from 'node:os';
import { Process, allocateShared, type StartMethod, type TaskRef } from '@mp/core';
import { canShare, childOf, preloadInSpares, setSpawnOptions, type Channel } from '@mp/core/internal';
import { WorkerLostError, type WorkerLossReason } from '../errors.js';
import { Deque } from './deque.js';
import { fromRecord, type ErrorRecord } from './error-record.js';
import { WORKER_MODULE } from './paths.js';
import { TASK_SENT, type HostTask } from './task.js';
import { CANCEL, EXIT, FATAL, RUN, STOP, type WorkerConfig } from './protocol.js';

/** Node's V8 heap limits for a thread worker (`Worker` `resourceLimits`). */
export interface ResourceLimits {
  readonly maxOldGenerationSizeMb?: number;
  readonly maxYoungGenerationSizeMb?: number;
}

export interface WorkerSlotOptions {
  readonly method: StartMethod;
  readonly initializer: TaskRef | undefined;
  readonly initargs: readonly unknown[];
  readonly resourceLimits: ResourceLimits | undefined;
  /** Tasks this worker may run before it is replaced (`Infinity`: no limit). */
  readonly budget: number;
  readonly onMessage: (slot: WorkerSlot, message: unknown[]) => void;
}

/**
 * Signal names by number. Some numbers have two names (6: `SIGABRT` and
 * `SIGIOT`, 29: `SIGIO` and `SIGPOLL`); Node lists the canonical one first,
 * so the first name wins — a worker that ran out of memory dies of `SIGABRT`.
 */
const SIGNALS = new Map<number, NodeJS.Signals>();
for (const [name, number] of Object.entries(constants.signals)) if (!SIGNALS.has(number)) SIGNALS.set(number, name as NodeJS.Signals);

/**
 * How long `terminate()` lets a worker handle `SIGTERM` before it sends
 * `SIGKILL` (a task may ignore `SIGTERM`, or block the thread that would handle it).
 */
export const TERMINATE_GRACE_MS = 1_000;

let workerRef: TaskRef | undefined;

/** The target of every worker: the `poolWorker` export of the built worker entry. */
function workerTarget(): TaskRef {
  if (!workerRef) {
    workerRef = Object.freeze({ module: WORKER_MODULE.href, name: 'poolWorker' });
    // The spares started from now on load the worker loop while they wait: the next
    // pool's workers are ready to take tasks as soon as they are handed their boot data.
    preloadInSpares(WORKER_MODULE.href);
  }
  return workerRef;
}

/**
 * The host side of one pool worker: a daemon {@link Process} whose target is
 * the worker loop (loads {@link file://./../entry/worker.ts}), the tasks it
 * holds in the order it received them, and why it died if it did.
 *
 * Workers are daemons, as CPython's pool workers are: an idle pool does not keep
 * the program alive; the pool holds the event loop open while it has work.
 */
export class WorkerSlot {
  readonly process: Process;
  readonly name: string;
  readonly method: StartMethod;
  /** Tasks sent and not yet answered, oldest first: the head is the one running. */
  readonly inflight: Deque<HostTask> = new Deque();
  /** Tasks answered so far (see {@link WorkerSlot.startedOf}). */
  answered = 0;
  readonly #progress: Int32Array | undefined;
  /** Tasks it may still be sent. */
  budget: number;
  /** True once its initializer ran. */
  ready = false;
  /** True once it was told to stop (or is being terminated): it gets no more tasks. */
  stopping = false;
  /** True when it is being ended because the task it ran was cancelled. */
  cancelled = false;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  #fatal: ErrorRecord | undefined;
  #exitNotice: number | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  readonly #channel: Channel;
  readonly #off: () => void;
  /** The number of each task function this worker knows, by module and export name. */
  readonly #fnIds = new Map<string, Map<string, number>>();
  #nextFnId = 0;

  constructor(options: WorkerSlotOptions) {
    const progress = canShare(options.method === 'process') ? allocateShared(4).int32() : undefined;
    const config: WorkerConfig = { method: options.method, initializer: options.initializer, progress };
    const process = new Process({ target: workerTarget(), args: [config, options.initargs], daemon: true, context: options.method });
    process.name = process.name.replace(/^Process/, options.method === 'thread' ? 'ThreadPoolWorker' : 'ProcessPoolWorker');
    if (options.resourceLimits) setSpawnOptions(process, { resourceLimits: options.resourceLimits });
    process.start();
    this.process = process;
    this.#progress = progress;
    this.name = process.name;
    this.method = options.method;
    this.budget = options.budget;
    const { channel, exited } = childOf(process);
    this.#channel = channel;
    this.exited = exited;
    this.#off = channel.on((message) => {
      const typed = message as unknown[];
      if (typed[0] === FATAL) this.#fatal = typed[1] as ErrorRecord;
      else if (typed[0] === EXIT) this.#exitNotice = typed[1] as number;
      else options.onMessage(this, typed);
    });
    void exited.then(() => this.#off());
  }

  /**
   * How many more tasks it may be sent now, given the pool's prefetch limit.
   * A worker gets nothing before it said it is ready. For `'process'` this is
   * required: a message that arrives in the same read as its boot data is lost
   * (`@mp/core`'s child link listens only after the boot message). For both, it
   * keeps tasks on workers that can run them now instead of queueing them on
   * one that is still starting.
   */
  room(limit: number): number {
    if (this.stopping || !this.ready) return 0;
    return Math.min(limit - this.inflight.length, this.budget);
  }

  /**
   * Sends tasks in one message. A task that the transport cannot clone is not
   * sent: it is returned with its error, the others go.
   */
  send(tasks: readonly HostTask[], now: number): Array<readonly [HostTask, unknown]> {
    const failed: Array<readonly [HostTask, unknown]> = [];
    if (this.#trySend(tasks)) {
      for (const task of tasks) this.#track(task, now);
      this.budget -= tasks.length;
      return failed;
    }
    // One of them cannot be cloned: find which by sending them one by one.
    for (const task of tasks) {
      try {
        this.#trySend([task], true);
        this.#track(task, now);
        this.budget--;
      } catch (error) {
        failed.push([task, cloneError(error)]);
      }
    }
    return failed;
  }

  #track(task: HostTask, now: number): void {
    task.state = TASK_SENT;
    task.slot = this;
    task.at = now;
    this.inflight.push(task);
  }

  /**
   * Stops a task it holds. The one it is running (the oldest unanswered) can
   * only be stopped by ending the worker — a JavaScript function cannot be
   * interrupted — so the worker is terminated and the pool replaces it; a task
   * it has not started is skipped by the worker instead (`CANCEL`).
   *
   * @returns true when the worker is being ended
   */
  cancel(task: HostTask): boolean {
    if (this.inflight.peek() === task) {
      this.cancelled = true;
      this.terminate();
      return true;
    }
    try {
      this.#post([CANCEL, task.wire.id]);
    } catch {
      // The channel is closed: the worker is gone, its tasks come back through the exit.
    }
    return false;
  }

  /**
   * Posts one RUN message. Task functions are named by a number per worker;
   * the first message that uses one carries its module and export. On failure
   * the numbers it introduced are forgotten, so that a later message defines
   * them again.
   *
   * @returns false when the message could not be cloned (or throws, with `rethrow`)
   */
  #trySend(tasks: readonly HostTask[], rethrow = false): boolean {
    let defs: Array<[number, string, string]> | 0 = 0;
    let transfer: ArrayBuffer[] | undefined;
    const message: unknown[] = [RUN, 0];
    for (const { wire } of tasks) {
      if (wire.transfer) (transfer ??= []).push(...wire.transfer);
      let byName = this.#fnIds.get(wire.fn.module);
      if (!byName) this.#fnIds.set(wire.fn.module, (byName = new Map()));
      let fnId = byName.get(wire.fn.name);
      if (fnId === undefined) {
        fnId = this.#nextFnId++;
        byName.set(wire.fn.name, fnId);
        (defs ||= []).push([fnId, wire.fn.module, wire.fn.name]);
      }
      message.push(wire.id, fnId, wire.mode, wire.args.value, wire.args.shared);
    }
    message[1] = defs;
    try {
      // A message that cannot be cloned throws before anything is transferred: the
      // buffers are still the task's when its tasks are retried one by one.
      this.#post(message, transfer);
      return true;
    } catch (error) {
      if (defs) for (const [, module, name] of defs) this.#fnIds.get(module)?.delete(name);
      if (rethrow) throw error;
      return false;
    }
  }

  /** Asks the worker to exit once it has answered every task it holds. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.ready) return; // sent when it is ready (see room())
    this.#sendStop();
  }

  /** Marks it ready; sends a stop that was asked for before. */
  markReady(): void {
    const deferred = !this.ready && this.stopping;
    this.ready = true;
    if (deferred) this.#sendStop();
  }

  #sendStop(): void {
    try {
      this.#post([STOP]);
    } catch {
      this.terminate();
    }
  }

  /**
   * Ends the worker now: `SIGTERM` / `worker.terminate()`, then `SIGKILL` if
   * it is still alive {@link TERMINATE_GRACE_MS} later, so that `exited`
   * always settles. Calling it again does not restart the grace period.
   */
  terminate(): void {
    this.stopping = true;
    if (this.#killTimer) return;
    this.process.terminate();
    // The timer does not hold the event loop: whoever waits for the exit holds it.
    this.#killTimer = setTimeout(() => this.process.kill(), TERMINATE_GRACE_MS).unref();
    void this.exited.then(() => clearTimeout(this.#killTimer));
  }

  #post(message: unknown[], transfer?: readonly ArrayBuffer[]): void {
    this.#channel.post(message, transfer);
  }

  /**
   * How many of `held` (its unanswered tasks, oldest first, taken when it
   * died) the worker had started: those ran, or were running, and must not
   * run again; the others never started.
   */
  startedOf(held: readonly HostTask[]): number {
    // Without the shared counter the worker answers each task before it takes the next.
    if (!this.#progress) return Math.min(1, held.length);
    return Math.max(0, Math.min(held.length, Atomics.load(this.#progress, 0) - this.answered));
  }

  /**
   * The error for the task this worker held when it died with `code`, or
   * (`starting`) for its death before it was ready.
   */
  lostError(code: number, starting = false): WorkerLostError {
    const signal = code < 0 ? (SIGNALS.get(-code) ?? null) : null;
    let reason: WorkerLossReason;
    let how: string;
    let cause: unknown;
    if (this.#fatal) {
      reason = 'crash';
      cause = fromRecord(this.#fatal);
      how = `it crashed with an uncaught error outside the task (exit code ${code}): ${this.#fatal.name}: ${this.#fatal.message}`;
    } else if (signal === 'SIGABRT') {
      reason = 'out-of-memory';
      how = `it was aborted (SIGABRT, exit code ${code}), which is how Node.js ends when it runs out of memory`;
    } else if (signal) {
      reason = 'signal';
      how = `it was killed by ${signal} (exit code ${code})`;
    } else if (this.#exitNotice !== undefined) {
      reason = 'exit';
      how = `it called process.exit(${this.#exitNotice}) (exit code ${code})`;
    } else if (this.method === 'thread' && code === 1) {
      reason = 'out-of-memory';
      how = 'it ran out of memory (the worker thread stopped with exit code 1 without reporting an error, ' +
        'as V8 stops a thread that reaches its heap limit)';
    } else {
      reason = code === 1 ? 'crash' : 'exit';
      how = `it exited with code ${code}${code === 1 ? ' (an uncaught error outside the task, or process.exit(1))' : ''}`;
    }
    const message = starting
      ? `Pool worker ${this.name} died before it was ready: ${how}.`
      : `Pool worker ${this.name} was lost while running a task: ${how}. The pool replaced the worker; the task was not run again.`;
    return new WorkerLostError(message, { worker: this.name, exitCode: code, signal, reason }, cause === undefined ? undefined : { cause });
  }
}

function cloneError(error: unknown): Error {
  const detail = error instanceof Error ? error.message : String(error);
  const result = new Error(`The task's arguments cannot be sent to a pool worker: ${detail}. Pass plain data (structured-clonable values).`, { cause: error });
  result.name = 'DataCloneError';
  return result;
}
