import { cpuCount, type StartMethod, type TaskRef } from '@mp/core';
import { canShare, decode, discard, encode, keepAlive, type Encoded, type SharedTable } from '@mp/core/internal';
import { PoolBrokenError, PoolQueueFullError, PoolStateError, PoolTerminatedError } from '../errors.js';
import { Deque } from './deque.js';
import { fromRecord, type ErrorRecord } from './error-record.js';
import { marksInUse, takeMarks } from './moves.js';
import { freeNumbers, shareNumbers, type SharedNumbers } from './number-blocks.js';
import { packNumbers } from './numbers.js';
import {
  DONE,
  INIT_FAILED,
  MODE_APPLY,
  MODE_MAP,
  MODE_MAP_SHARED,
  MODE_STARMAP,
  READY,
  RESULT_ERROR,
  RESULT_IN_PLACE,
  RESULT_NUMBERS,
  RESULT_PARTIAL,
  RESULT_WIDTH,
  type Mode,
} from './protocol.js';
import { Reservoir, type PoolStats } from './stats.js';
import { TASK_DONE, TASK_QUEUED, TASK_SENT, type HostTask, type TaskSink } from './task.js';
import { WorkerSlot, type ResourceLimits } from './worker-slot.js';

/** Tasks a worker holds before the pool knows how long tasks take. */
const INITIAL_PREFETCH = 1;
/** Once it knows, a worker holds about this much work (ms), so it never waits for the next message. */
const PREFETCH_MS = 2;
/** The most tasks in one message. */
const MAX_PREFETCH = 1_024;
/**
 * A worker that died before it was ready is replaced after a delay that grows
 * while replacements keep dying the same way: 0, then 10, 20, 40… ms, at most
 * {@link MAX_RESPAWN_DELAY_MS}; back to 0 once a worker is ready.
 */
const RESPAWN_BACKOFF_MS = 10;
const MAX_RESPAWN_DELAY_MS = 1_000;
/**
 * Workers that end by themselves before they are ready (not killed from
 * outside), this many in a row with none ready in between, break the pool:
 * they cannot start (the worker cannot load, the initializer exits…), and
 * replacing them for ever would hang every task.
 */
const MAX_START_FAILURES = 5;
/** Exit codes of the signals that end a process from outside (SIGHUP, SIGINT, SIGKILL, SIGTERM): never held against the pool. */
const KILLED_FROM_OUTSIDE = new Set([-1, -2, -9, -15]);

export interface SchedulerOptions {
  readonly processes: number;
  readonly method: StartMethod;
  readonly initializer: TaskRef | undefined;
  readonly initargs: readonly unknown[];
  readonly maxtasksperchild: number | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
  /** The most tasks waiting for a worker; `Infinity`: no limit. */
  readonly maxQueue: number;
  /** Workers kept however idle; those above it are retired after {@link SchedulerOptions.idleTimeout}. */
  readonly minProcesses: number;
  /** Ms a worker above `minProcesses` may stay idle before it is retired (`Infinity`: never). */
  readonly idleTimeout: number;
}

/** Something that produces tasks over time (an imap reading its input): told when the pool closes or stops. */
export interface Producer {
  /** The pool was closed: read the rest of the input without waiting for the consumer. */
  onClose(): void;
  /** The pool was terminated or broke: stop reading. */
  onStop(error: unknown): void;
}

/**
 * The engine of a Pool: its workers, the queue of tasks, dispatch and
 * results, replacement of lost workers, close/terminate/join.
 *
 * Dispatch is by batches: each worker is sent as many tasks at once as it may
 * hold — a few at first, then about {@link PREFETCH_MS} worth of work as
 * measured — and answers with every result it finished since its last message.
 * Small prefetch keeps long tasks balanced across workers; large batches make
 * tiny tasks cheap.
 */
export class Scheduler {
  state: 'run' | 'close' | 'terminate' = 'run';
  /** Set when the pool broke (an initializer failed): the reason submissions are refused. */
  broken: PoolBrokenError | undefined;
  readonly processes: number;
  readonly method: StartMethod;
  readonly #options: SchedulerOptions;
  readonly #queue = new Deque<HostTask>();
  readonly #workers = new Set<WorkerSlot>();
  readonly #producers = new Set<Producer>();
  readonly #joinWaiters: Array<() => void> = [];
  #nextId = 1;
  /** Tasks submitted and not yet answered (queued or in a worker). */
  #pending = 0;
  /** Tasks in the queue that are still wanted (the queue also holds cancelled ones until dispatch skips them). */
  #queued = 0;
  readonly #maxQueue: number;
  /** Called once when the queue has room again (map feeders and imaps waiting for `maxQueue`). */
  #roomWaiters: Array<() => void> = [];
  /** `drained()` callers: woken when no task waits for a worker. */
  #drainWaiters: Array<() => void> = [];
  readonly #startedAt = performance.now();
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  /** Time the workers spent running tasks, as they reported it (ms). */
  #busyMs = 0;
  readonly #runTimes = new Reservoir();
  readonly #waitTimes = new Reservoir();
  #avgTaskMs: number | undefined;
  #dispatchQueued = false;
  readonly #dispatchSoon = (): void => this.#dispatch();
  #release: (() => void) | undefined;
  #releaseQueued = false;
  /** Workers not started yet (see the constructor). */
  #deferred = 0;
  #deferredQueued = false;
  #terminated: Promise<void> | undefined;
  /** Workers in a row that died before they were ready, and how many of them ended by themselves. */
  #startFailures = 0;
  #selfStartFailures = 0;
  /** Replacements waiting for their back-off delay. */
  readonly #respawns = new Set<NodeJS.Timeout>();
  /** Elastic size: workers above `minProcesses` retire after `idleTimeout` idle ms, and start again on demand. */
  readonly #elastic: boolean;
  /** Since when each idle worker has been idle (elastic pools only). */
  readonly #idleSince = new Map<WorkerSlot, number>();
  /** Workers retired for idleness: not replaced when they exit. */
  readonly #retired = new WeakSet<WorkerSlot>();
  #sweepTimer: NodeJS.Timeout | undefined;
  /** Whether large map chunks of numbers go through shared memory: its workers can see the host's arena. */
  readonly #shareNumbers: boolean;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#shareNumbers = canShare(options.method === 'process');
    this.processes = options.processes;
    this.method = options.method;
    this.#maxQueue = options.maxQueue;
    this.#elastic = options.minProcesses < options.processes && options.idleTimeout !== Infinity;
    // On a machine with few cores, workers that start together compete for the
    // CPU (each loads Node, @mp/core, and maybe a TypeScript loader and the task's
    // module): start as many as there are spare cores, and the rest once the first
    // one has answered its first task (one loop turn later), is ready with nothing
    // to do, or is ready and busy while tasks wait — so that the first result does
    // not wait for every worker's start.
    const burst = Math.min(options.processes, Math.max(1, cpuCount() - 1));
    this.#deferred = options.processes - burst;
    try {
      for (let i = 0; i < burst; i++) this.#spawn();
    } catch (error) {
      for (const worker of this.#workers) worker.terminate();
      throw error;
    }
  }

  /** The error to throw for a submission when the pool is not running. */
  notRunning(): PoolStateError {
    if (this.broken) {
      return new PoolStateError(`Pool not running: it is broken (${this.broken.message})`, { cause: this.broken });
    }
    return new PoolStateError(
      `Pool not running: it was ${this.state === 'close' ? 'closed' : 'terminated'}, so it takes no new work. Submit before close(), or create a new Pool.`,
    );
  }

  /**
   * Queues a task; its outcome goes to `sink`. Arguments are encoded now, so that a bad one fails this task at once.
   * It does not check `maxQueue`: callers that must be refused call {@link Scheduler.admit} first.
   * The items of a map chunk are searched for `move()` marks here (only once some `move()` ran);
   * an apply's arguments were searched by the caller, which passes their `transfer`.
   *
   * @returns the task, for cancellation
   */
  submit(fn: TaskRef, mode: Mode, payload: readonly unknown[], sink: TaskSink, index: number, count: number, transfer?: readonly ArrayBuffer[]): HostTask {
    let args: Encoded;
    let numbers: SharedNumbers | undefined;
    try {
      // A map chunk of numbers only: in shared memory when it is large (and there is shared memory), else
      // as one Float64Array: no per-item encoding or cloning either way (numbers.ts).
      numbers = mode === MODE_MAP && this.#shareNumbers ? shareNumbers(payload) : undefined;
      const packed = mode === MODE_MAP && !numbers ? packNumbers(payload) : undefined;
      if (numbers) {
        mode = MODE_MAP_SHARED;
        args = { value: [numbers.view.byteOffset, numbers.view.length], shared: false };
      } else if (packed) {
        args = { value: packed, shared: false };
      } else {
        const marks = mode === MODE_APPLY ? undefined : marksInUse();
        if (marks) {
          const moved = takeMarks(marks, payload, mode === MODE_STARMAP, this.method === 'thread', 'items');
          if (moved) ({ payload, transfer } = moved);
        }
        args = encode(payload, { crossProcess: this.method === 'process', startMethod: this.method }, mode === MODE_APPLY ? 'args' : 'items');
      }
    } catch (error) {
      const failed: HostTask = {
        wire: { id: 0, fn, mode, args: { value: [], shared: false }, transfer: undefined },
        sink,
        index,
        count,
        state: TASK_DONE,
        slot: undefined,
        at: 0,
        numbers: undefined,
      };
      this.#failed++;
      queueMicrotask(() => sink.done(failed, { ok: false, error }));
      return failed;
    }
    const task: HostTask = {
      wire: { id: this.#nextId++, fn, mode, args, transfer },
      sink,
      index,
      count,
      state: TASK_QUEUED,
      slot: undefined,
      at: performance.now(),
      numbers,
    };
    this.#queue.push(task);
    this.#queued++;
    this.#pending++;
    this.#hold();
    if (!this.#dispatchQueued) {
      // Tasks submitted in the same tick go out together.
      this.#dispatchQueued = true;
      queueMicrotask(this.#dispatchSoon);
    }
    return task;
  }

  /**
   * Refuses a submission when `maxQueue` tasks already wait for a worker.
   *
   * @throws {@link PoolQueueFullError}
   */
  admit(): void {
    if (this.#queued >= this.#maxQueue && this.room() <= 0) throw new PoolQueueFullError(this.#maxQueue);
  }

  /**
   * How many more tasks the queue takes before `maxQueue` (`Infinity` without a
   * limit). Tasks submitted in this tick wait in the queue until the dispatch
   * (a microtask later) even when workers are idle: those are not counted as
   * waiting, so a burst that idle workers will take at once is not refused.
   */
  room(): number {
    const room = this.#maxQueue - this.#queued;
    if (room > 0) return room;
    let idle = 0;
    for (const worker of this.#workers) if (worker.ready && !worker.stopping && worker.inflight.length === 0) idle++;
    return room + idle;
  }

  /** Calls `wake` once, when the queue has room again (a task left it). */
  whenRoom(wake: () => void): void {
    this.#roomWaiters.push(wake);
  }

  /** Resolves once no task waits for a worker (at once when none does). */
  drained(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Wakes the waiters for room and for an empty queue, after tasks left the queue. */
  #queueShrank(): void {
    if (this.#roomWaiters.length > 0 && this.room() > 0) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.#drainWaiters.length > 0 && this.#queued === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Cancels a task: one still queued is dropped (its arguments released), one
   * a worker holds is stopped (see {@link WorkerSlot.cancel}). Its sink is not
   * told: the caller settles its own result. Does nothing for a task already done.
   */
  cancel(task: HostTask): void {
    if (task.state === TASK_QUEUED) {
      // Left in the deque (removing from the middle is O(n)); dispatch skips it.
      task.state = TASK_DONE;
      letGo(task);
      this.#cancelled++;
      this.#queued--;
      this.#pending--;
      this.#queueShrank();
      this.#maybeStopIdle();
      this.#hold();
    } else if (task.state === TASK_SENT) {
      task.state = TASK_DONE;
      this.#cancelled++;
      // Still counted in #pending: its answer, or its worker's exit, comes back for it.
      task.slot!.cancel(task);
    }
  }
  addProducer(producer: Producer): void {
    this.#producers.add(producer);
  }

  removeProducer(producer: Producer): void {
    if (this.#producers.delete(producer)) this.#maybeStopIdle();
  }

  /**
   * Keeps the event loop alive while there is work, and only then: an idle
   * pool lets the program end (its workers are daemons). The hold is let go
   * one loop turn after the work ran out, so that a caller submitting again
   * from the result's continuation (a loop of `await apply()`) keeps the same
   * hold instead of making and clearing a timer per task.
   */
  #hold(): void {
    if (this.#pending > 0) {
      this.#release ??= keepAlive();
    } else if (this.#release && !this.#releaseQueued) {
      this.#releaseQueued = true;
      setImmediate(() => {
        this.#releaseQueued = false;
        if (this.#pending === 0 && this.#release) {
          this.#release();
          this.#release = undefined;
        }
      });
    }
  }

  #limit(): number {
    if (this.#avgTaskMs === undefined) return INITIAL_PREFETCH;
    return Math.max(1, Math.min(MAX_PREFETCH, Math.ceil(PREFETCH_MS / Math.max(this.#avgTaskMs, 0.000_1))));
  }

  #dispatch(): void {
    this.#dispatchQueued = false;
    if (this.state === 'terminate' || this.#queued === 0) {
      this.#maybeStopIdle();
      return;
    }
    const limit = this.#limit();
    const now = performance.now();
    const open: Array<{ worker: WorkerSlot; room: number; load: number; batch: HostTask[] }> = [];
    let anyReady = false;
    for (const worker of this.#workers) {
      anyReady ||= worker.ready;
      const room = worker.room(limit);
      if (room > 0) open.push({ worker, room, load: worker.inflight.length, batch: [] });
    }
    // Each task goes to the least loaded worker that has room: idle workers
    // first, so that a short task does not wait behind a long one while
    // another worker has nothing to do, and a burst spreads evenly.
    while (this.#queued > 0) {
      let best: (typeof open)[number] | undefined;
      for (const entry of open) {
        if (entry.batch.length < entry.room && (!best || entry.load + entry.batch.length < best.load + best.batch.length)) best = entry;
      }
      if (!best) break;
      const task = this.#nextTask(now);
      if (!task) break;
      best.batch.push(task);
    }
    for (const { worker, batch } of open) {
      if (batch.length === 0) continue;
      if (this.#elastic) this.#idleSince.delete(worker);
      for (const [task, error] of worker.send(batch, now)) {
        this.#pending--;
        this.#failed++;
        task.state = TASK_DONE;
        freeTaskNumbers(task); // never sent
        task.sink.done(task, { ok: false, error });
      }
    }
    // More work than the started workers can take: start the others now.
    if (this.#deferred > 0 && this.#queued > 0 && anyReady) this.#spawnDeferred();
    if (this.#elastic && this.#queued > 0) this.#grow();
    this.#queueShrank();
    this.#hold();
  }

  /** The next wanted task of the queue, its wait time recorded; cancelled ones are skipped. */
  #nextTask(now: number): HostTask | undefined {
    for (;;) {
      const task = this.#queue.shift();
      if (!task) return undefined;
      if (task.state !== TASK_QUEUED) continue; // cancelled: already counted out
      if (task.sink.cancelled) {
        task.state = TASK_DONE;
        letGo(task); // it will never be sent: its shared objects stop holding memory
        this.#cancelled++;
        this.#queued--;
        this.#pending--;
        continue;
      }
      this.#queued--;
      this.#waitTimes.record(now - task.at);
      return task;
    }
  }

  #spawn(): void {
    const worker = new WorkerSlot({
      method: this.method,
      initializer: this.#options.initializer,
      initargs: this.#options.initargs,
      resourceLimits: this.#options.resourceLimits,
      budget: this.#options.maxtasksperchild ?? Infinity,
      onMessage: (slot, message) => this.#onMessage(slot, message),
    });
    this.#workers.add(worker);
    void worker.exited.then((code) => this.#onExit(worker, code));
  }

  /** Starts the workers held back at construction (see the constructor), when there can be work for them. */
  #spawnDeferred(): void {
    const count = this.#deferred;
    this.#deferred = 0;
    if (!this.#wantsWorkers()) return;
    try {
      for (let i = 0; i < count; i++) this.#spawn();
    } catch (error) {
      this.#break(new PoolBrokenError('a worker could not be started', { cause: error }));
    }
  }

  /**
   * Starts the held-back workers one loop turn from now, after an answer: a program that closes
   * the pool in the answer's continuation (`await pool.apply(f); pool.close()`) does not start
   * workers only to wait for their start in `join()` and stop them, and one that keeps the pool
   * gets them all the same. Tasks that wait start them at once ({@link Scheduler.#dispatch}).
   */
  #spawnDeferredSoon(): void {
    if (this.#deferredQueued) return;
    this.#deferredQueued = true;
    setImmediate(() => {
      this.#deferredQueued = false;
      if (this.#deferred > 0) this.#spawnDeferred();
    }).unref();
  }

  /** Whether the pool needs workers: it is running, or closed with work left. */
  #wantsWorkers(): boolean {
    return this.state === 'run' || (this.state === 'close' && (this.#queued > 0 || this.#producers.size > 0));
  }

  #onMessage(worker: WorkerSlot, message: unknown[]): void {
    switch (message[0]) {
      case READY:
        this.#startFailures = 0;
        this.#selfStartFailures = 0;
        worker.markReady();
        this.#dispatch();
        if (worker.inflight.length === 0) this.#spawnDeferred();
        if (this.#elastic) this.#noteIdle(worker);
        return;
      case INIT_FAILED: {
        const cause = fromRecord(message[1] as ErrorRecord);
        const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
        this.#break(new PoolBrokenError(`the initializer failed in ${worker.name}: ${detail}`, { cause }));
        return;
      }
      case DONE:
        this.#onResults(worker, message);
        return;
      default:
        return;
    }
  }

  /** A DONE message: `[DONE, busy, timed, …results]`, the results in the order the tasks were sent. */
  #onResults(worker: WorkerSlot, message: unknown[]): void {
    const now = performance.now();
    for (let i = 3; i < message.length; i += RESULT_WIDTH) {
      const task = worker.inflight.shift();
      if (!task) break;
      worker.answered++;
      this.#pending--;
      const kind = message[i + 1] as number;
      if (task.state === TASK_SENT) {
        task.state = TASK_DONE;
        this.#runTimes.record(now - task.at);
        if (kind === RESULT_ERROR) this.#failed++;
        else this.#completed++;
      }
      // A cancelled task's sink ignores it; delivered anyway so that shared objects in it are released.
      deliver(task, kind, message[i + 2], message[i + 3]);
      // Answered: the worker is done with its block, and the sink has read it (sinks read synchronously).
      freeTaskNumbers(task);
    }
    const busy = message[1] as number;
    const timed = message[2] as number;
    this.#busyMs += busy;
    if (timed > 0) {
      const sample = busy / timed;
      this.#avgTaskMs = this.#avgTaskMs === undefined ? sample : this.#avgTaskMs * 0.7 + sample * 0.3;
    }
    if (worker.budget <= 0 && worker.inflight.length === 0) worker.stop(); // maxtasksperchild: retire it
    if (this.#deferred > 0) this.#spawnDeferredSoon();
    this.#dispatch(); // starts them now if tasks wait
    if (this.#elastic) this.#noteIdle(worker);
  }

  // --- Elastic size -------------------------------------------------------------

  /** Notes that `worker` has nothing to do (if so), and makes sure a sweep will look at it. */
  #noteIdle(worker: WorkerSlot): void {
    if (worker.inflight.length > 0 || worker.stopping || this.#idleSince.has(worker)) return;
    this.#idleSince.set(worker, performance.now());
    this.#sweepTimer ??= setTimeout(() => this.#sweep(), this.#options.idleTimeout).unref();
  }

  /** Retires the workers above `minProcesses` idle for `idleTimeout` ms; looks again when the next one will be. */
  #sweep(): void {
    this.#sweepTimer = undefined;
    if (this.state !== 'run') return; // a closed pool stops its idle workers anyway
    const now = performance.now();
    const { idleTimeout, minProcesses } = this.#options;
    let live = 0;
    for (const worker of this.#workers) if (!worker.stopping) live++;
    let next = Infinity;
    for (const [worker, since] of this.#idleSince) {
      if (worker.inflight.length > 0 || worker.stopping) {
        this.#idleSince.delete(worker);
      } else if (now - since >= idleTimeout && live > minProcesses) {
        this.#idleSince.delete(worker);
        this.#retired.add(worker);
        worker.stop();
        live--;
      } else if (live > minProcesses) {
        next = Math.min(next, since + idleTimeout - now);
      }
    }
    if (next !== Infinity) this.#sweepTimer = setTimeout(() => this.#sweep(), Math.max(1, Math.ceil(next))).unref();
  }

  /** Tasks wait and fewer than `processes` workers run (some were retired): start workers again, one per waiting task at most. */
  #grow(): void {
    if (this.state === 'terminate') return;
    let live = this.#deferred + this.#respawns.size;
    let idle = 0;
    for (const worker of this.#workers) {
      if (worker.stopping) continue;
      live++;
      if (!worker.ready || worker.inflight.length === 0) idle++;
    }
    const wanted = Math.min(this.processes - live, this.#queued - idle);
    try {
      for (let i = 0; i < wanted; i++) this.#spawn();
    } catch (error) {
      this.#break(new PoolBrokenError('a worker could not be started', { cause: error }));
    }
  }

  #onExit(worker: WorkerSlot, code: number): void {
    this.#workers.delete(worker);
    const held = worker.inflight.drain();
    let delay = 0;
    if (this.state !== 'terminate') {
      // A worker that died before it was ready (killed while it started, or it
      // exited in its initializer) is replaced: only an initializer that throws
      // breaks the pool (INIT_FAILED). It held no task (see WorkerSlot.room()).
      if (!worker.ready && !worker.stopping) delay = this.#startFailed(worker, code);
      if (held.length > 0) {
        // The tasks it had started fail (unless cancelled: that is why the worker was
        // ended): the last one was running; any before it had finished, but their results
        // were still on their way out. Running them again would run them twice. The
        // others never started (tasks run one at a time, in order): another worker takes them.
        const started = worker.startedOf(held);
        const lost = held.slice(0, started);
        const waiting = held.slice(started);
        for (const task of lost) {
          this.#pending--;
          freeTaskNumbers(task); // its worker is gone: nobody writes the block any more
          if (task.state !== TASK_SENT) continue;
          task.state = TASK_DONE;
          this.#failed++;
          task.sink.done(task, { ok: false, error: worker.lostError(code) });
        }
        const requeued: HostTask[] = [];
        for (const task of waiting) {
          if (task.state === TASK_SENT) {
            task.state = TASK_QUEUED;
            task.slot = undefined;
            requeued.push(task);
          } else {
            this.#pending--; // cancelled while it waited in the worker
            freeTaskNumbers(task);
          }
        }
        this.#queued += requeued.length;
        this.#queue.unshiftAll(requeued);
      }
    }
    if (this.#deferred > 0) this.#spawnDeferred();
    this.#idleSince.delete(worker);
    if (this.#wantsWorkers() && !this.#retired.has(worker)) this.#replace(worker.name, delay);
    this.#dispatch();
    this.#hold();
    this.#wakeJoiners();
  }

  /**
   * Counts a worker that died before it was ready; breaks the pool after
   * {@link MAX_START_FAILURES} in a row that ended by themselves.
   *
   * @returns how long to wait before replacing it
   */
  #startFailed(worker: WorkerSlot, code: number): number {
    this.#startFailures++;
    if (!KILLED_FROM_OUTSIDE.has(code) && ++this.#selfStartFailures >= MAX_START_FAILURES) {
      const lost = worker.lostError(code, true);
      this.#break(
        new PoolBrokenError(
          `${MAX_START_FAILURES} workers in a row died before they were ready, the last one ${worker.name} with exit code ${code} ` +
            `(${lost.reason}), so workers cannot start: check the initializer and the worker's output on stderr`,
          { cause: lost },
        ),
      );
    }
    return this.#startFailures <= 1 ? 0 : Math.min(MAX_RESPAWN_DELAY_MS, RESPAWN_BACKOFF_MS * 2 ** (this.#startFailures - 2));
  }

  /** Starts a worker in place of `name`, now or after `delay` ms. */
  #replace(name: string, delay: number): void {
    const spawn = (): void => {
      try {
        this.#spawn();
      } catch (error) {
        this.#break(new PoolBrokenError(`a worker could not be started to replace ${name}`, { cause: error }));
      }
    };
    if (delay === 0) {
      spawn();
      return;
    }
    // Not ref'd: queued tasks hold the event loop (#hold), an idle pool must not.
    const timer = setTimeout(() => {
      this.#respawns.delete(timer);
      if (this.#wantsWorkers()) spawn();
      this.#wakeJoiners();
    }, delay).unref();
    this.#respawns.add(timer);
  }

  /** Wakes `join()` once a pool that is not running has no worker left and none to come. */
  #wakeJoiners(): void {
    if (this.state !== 'run' && this.#workers.size === 0 && this.#respawns.size === 0) {
      for (const wake of this.#joinWaiters.splice(0)) wake();
    }
  }

  /** In a closed pool, workers with nothing left to do are told to stop. */
  #maybeStopIdle(): void {
    if (this.state !== 'close' || this.#queued > 0 || this.#producers.size > 0) return;
    for (const worker of this.#workers) if (worker.inflight.length === 0) worker.stop();
  }

  /**
   * Stops accepting work. With `cancelPending`, producers stop (`error`) and
   * every queued task fails with `error`; tasks in workers run to the end.
   */
  close(cancelPending?: Error): void {
    if (this.state !== 'run') return;
    this.state = 'close';
    if (cancelPending) {
      for (const producer of [...this.#producers]) producer.onStop(cancelPending);
      this.#producers.clear();
      const dropped = this.#queue.drain().filter((task) => task.state === TASK_QUEUED);
      this.#queued = 0;
      this.#pending -= dropped.length;
      this.#cancelled += dropped.length;
      for (const task of dropped) {
        task.state = TASK_DONE;
        letGo(task);
        task.sink.done(task, { ok: false, error: cancelPending });
      }
      this.#queueShrank();
      this.#hold();
    } else {
      for (const producer of this.#producers) producer.onClose();
    }
    this.#maybeStopIdle();
  }

  /** Fails every queued and running task with `error`, stops producers, ends every worker now. */
  #stopAll(error: unknown): Promise<void> {
    this.state = 'terminate';
    this.#deferred = 0;
    for (const timer of this.#respawns) clearTimeout(timer);
    this.#respawns.clear();
    for (const producer of [...this.#producers]) producer.onStop(error);
    this.#producers.clear();
    const failed = this.#queue.drain().filter((task) => task.state === TASK_QUEUED);
    // Queued tasks were never sent: their shared objects stop holding memory.
    for (const task of failed) letGo(task);
    for (const worker of this.#workers) {
      const held = worker.inflight.drain();
      for (const task of held) if (task.state === TASK_SENT) failed.push(task);
      // The worker may be writing its chunks' blocks until it is gone.
      if (held.some((task) => task.numbers)) void worker.exited.then(() => held.forEach(freeTaskNumbers));
      worker.terminate();
    }
    this.#pending = 0;
    this.#queued = 0;
    this.#cancelled += failed.length;
    for (const task of failed) {
      task.state = TASK_DONE;
      task.sink.done(task, { ok: false, error });
    }
    // Feeders waiting for room are producers: onStop() above ended them. `drained()` callers: the queue is empty.
    this.#roomWaiters = [];
    this.#queueShrank();
    this.#hold();
    this.#wakeJoiners(); // a join() that waited for a replacement that will not come now
    const exits = Promise.all([...this.#workers].map((worker) => worker.exited));
    const release = keepAlive();
    return exits.then(
      () => release(),
      () => release(),
    );
  }

  #break(error: PoolBrokenError): void {
    if (this.state === 'terminate') return;
    this.broken = error;
    this.#terminated = this.#stopAll(error);
  }

  terminate(): Promise<void> {
    this.#terminated ??= this.#stopAll(new PoolTerminatedError());
    return this.#terminated;
  }

  async join(): Promise<void> {
    if (this.state === 'run') throw new PoolStateError('Pool is still running: call close() or terminate() before join()');
    if (this.#workers.size === 0 && this.#respawns.size === 0) return;
    const release = keepAlive();
    try {
      await new Promise<void>((resolve) => this.#joinWaiters.push(resolve));
    } finally {
      release();
    }
  }

  /** A snapshot of the load (see `Pool.stats()`): O(workers) plus two sorts of ≤ 1,024 numbers. */
  stats(): PoolStats {
    let busy = 0;
    let idle = 0;
    let starting = 0;
    for (const worker of this.#workers) {
      if (!worker.ready) starting++;
      else if (worker.inflight.length > 0) busy++;
      else idle++;
    }
    const elapsed = performance.now() - this.#startedAt;
    return {
      workers: { busy, idle, starting },
      queued: this.#queued,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      runTime: this.#runTimes.percentiles(),
      waitTime: this.#waitTimes.percentiles(),
      utilization: elapsed > 0 ? Math.min(1, this.#busyMs / (elapsed * this.processes)) : 0,
    };
  }

  /** The workers now running (a snapshot). */
  workers(): WorkerSlot[] {
    return [...this.#workers];
  }
}

/** Hands a worker's answer (`kind, payload, extra`, see protocol.ts) to the task's sink, reviving shared objects first when there are any. */
function deliver(task: HostTask, kind: number, payload: unknown, extra: unknown): void {
  if (kind === RESULT_ERROR) {
    task.sink.done(task, { ok: false, error: fromRecord(payload as ErrorRecord) });
    return;
  }
  if (kind === RESULT_IN_PLACE) {
    // The results are in the chunk's block, over its items (numbers.ts).
    if (task.numbers) task.sink.done(task, { ok: true, value: task.numbers.view });
    else task.sink.done(task, { ok: false, error: new Error('Pool protocol error: a result in place for a task without a block of shared memory') });
    return;
  }
  if (kind === RESULT_NUMBERS) {
    // Handed on as it came: the map's list copies it into place once (map-job.ts); imap reads it by index.
    task.sink.done(task, { ok: true, value: payload });
    return;
  }
  let shared = extra as SharedTable | false;
  let errors: Array<readonly [number, unknown]> | undefined;
  if (kind === RESULT_PARTIAL) {
    const [partialShared, records] = extra as [SharedTable | false, Array<readonly [number, ErrorRecord]>];
    shared = partialShared;
    errors = records.map(([i, record]) => [i, fromRecord(record)] as const);
  }
  if (shared) {
    decode({ value: payload, shared }).then(
      (decoded) => task.sink.done(task, { ok: true, value: decoded, errors }),
      (error: unknown) => task.sink.done(task, { ok: false, error }),
    );
    return;
  }
  task.sink.done(task, { ok: true, value: payload, errors });
}

/** Lets go of what a task that will never be sent holds: the shared objects in its arguments, its block of numbers. */
function letGo(task: HostTask): void {
  discard(task.wire.args);
  freeTaskNumbers(task);
}

/** Frees the block of a chunk of numbers (once: later calls do nothing). */
function freeTaskNumbers(task: HostTask): void {
  const numbers = task.numbers;
  if (!numbers) return;
  task.numbers = undefined;
  freeNumbers(numbers);
}
