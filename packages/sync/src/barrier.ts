import { inspect } from 'node:util';
import {
  allocateShared,
  defineShared,
  share,
  type ShareContext,
  type Shareable,
  type SharedRegion,
  type SharedState,
  type TaskRef,
  type Target,
} from '@mp/core';
import { checkOptions, describe, toTaskRef } from '@mp/core/internal';
import { Condition, conditionWaitForOp, conditionWaitOp } from './condition.js';
import { BrokenBarrierError } from './errors.js';
import { ActionSlot } from './internal/action.js';
import { runAsync, runSync, type Op } from './internal/ops.js';
import { ownedLockOf, type OwnedLock } from './internal/owned-lock.js';
import { deadlineAfter, toTimeout } from './internal/timeout.js';
import { Lock } from './lock.js';

const TYPE = '@mp/sync.Barrier';

/**
 * CPython's `threading.Barrier` state machine, on two words of shared memory
 * guarded by the barrier's own Condition(Lock): `STATE` and `COUNT` (parties
 * inside `wait()`, waiting or on their way out).
 */
const STATE = 0;
const COUNT = 1;
const BYTES = 8;
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

/** Stack frames from this package are not "the calling module" of an action. */
const PACKAGE_ROOT = new URL('.', import.meta.url).href;

/** Options of {@link Barrier}. */
export interface BarrierOptions {
  /**
   * Called once per pass, with no arguments, by the party whose arrival trips
   * the barrier, before any party is released; if it throws, the barrier
   * breaks. A function exported by the module that creates the barrier, or
   * `ref(moduleUrl, exportName)`: it travels by reference, like a Process target.
   */
  action?: Target;
  /** Default timeout of {@link Barrier.wait}, in milliseconds; `undefined` waits without limit. */
  timeout?: number;
}

interface BarrierState {
  readonly region: SharedRegion;
  readonly lock: Lock;
  readonly condition: Condition;
  readonly parties: number;
  readonly timeout: number | undefined;
  readonly action: TaskRef | null;
}

/** Set by the reviver for the one constructor call that adopts a travelling barrier. */
let adopting: BarrierState | undefined;

/**
 * A rendezvous for a fixed number of parties (threads or processes): each
 * `wait()` blocks until `parties` of them are waiting, then all are released
 * together and the barrier is ready for the next pass.
 *
 * Python: `multiprocessing.Barrier` (`threading.Barrier` over shared memory).
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * // in each of 3 children:
 * const index = barrier.waitSync(); // 0, 1 or 2, each once per pass
 * ```
 */
export class Barrier implements Shareable {
  static {
    defineShared<BarrierState>(TYPE, (state) => {
      adopting = state;
      return new Barrier(state.parties);
    });
  }

  readonly #region: SharedRegion;
  readonly #words: Int32Array;
  readonly #condition: Condition;
  /** The condition's lock: the public object for reset/abort, its internals for wait. */
  readonly #mutex: Lock;
  readonly #lock: OwnedLock;
  readonly #parties: number;
  readonly #timeout: number | undefined;
  readonly #action: ActionSlot | undefined;

  /**
   * Creates a barrier for `parties` parties.
   *
   * @param parties - how many `wait()` calls release each other, a positive integer
   * @param options - the `action` run once per pass and the default `timeout`
   * @throws TypeError when `parties` is not a number, `timeout` not a number,
   *   or `action` neither an exported function nor a `ref()`
   * @throws RangeError when `parties` is not a positive integer
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const adopted = adopting;
    adopting = undefined;
    if (adopted) {
      this.#region = adopted.region;
      this.#mutex = adopted.lock;
      this.#condition = adopted.condition;
      this.#parties = adopted.parties;
      this.#timeout = adopted.timeout;
      this.#action = adopted.action ? new ActionSlot(adopted.action, undefined, true) : undefined;
    } else {
      if (typeof parties !== 'number') throw new TypeError(`Expected \`parties\` to be a positive integer, got ${describe(parties)}`);
      if (!Number.isInteger(parties) || parties < 1) throw new RangeError(`parties must be >= 1: expected a positive integer, got ${describe(parties)}`);
      checkOptions(options, ['action', 'timeout'], 'Barrier');
      toTimeout(options.timeout);
      this.#parties = parties;
      this.#timeout = options.timeout;
      const { action } = options;
      this.#action = action === undefined
        ? undefined
        : new ActionSlot(toTaskRef(action, 'action', [PACKAGE_ROOT]), typeof action === 'function' ? action : undefined, false);
      this.#region = allocateShared(BYTES);
      this.#mutex = new Lock();
      this.#condition = new Condition(this.#mutex);
    }
    this.#words = this.#region.int32(0, 2);
    this.#lock = ownedLockOf(this.#mutex, 'the lock of a Barrier');
  }

  /** The number of parties a pass needs. Python: `parties`. */
  get parties(): number {
    return this.#parties;
  }

  /** How many parties are waiting in the current pass (a snapshot). Python: `n_waiting`. */
  get nWaiting(): number {
    return Atomics.load(this.#words, STATE) === FILLING ? Atomics.load(this.#words, COUNT) : 0;
  }

  /** Whether the barrier is broken. Python: `broken`. */
  get broken(): boolean {
    return Atomics.load(this.#words, STATE) === BROKEN;
  }

  /**
   * Waits until all parties have called `wait()`, without blocking the event
   * loop. The party that arrives last runs the action, then all are released.
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` uses the barrier's default timeout
   * @returns a promise of this party's index in the pass, `0 … parties-1`, each
   *   given to exactly one party per pass
   * @throws {@link BrokenBarrierError} (rejects) when the barrier is or becomes
   *   broken: aborted, reset while waiting, a party timed out (this one breaks it)
   * @throws the action's error (rejects) in the party that ran the action (the barrier breaks)
   * @example
   * ```ts
   * const index = await barrier.wait();
   * if (index === 0) console.log('all arrived');
   * ```
   */
  async wait(timeout?: number): Promise<number> {
    const ms = toTimeout(timeout ?? this.#timeout);
    // Load the action before arriving: this party may be the one to trip.
    await this.#action?.ready();
    return runAsync(this.#waitOp(ms));
  }

  /**
   * Like {@link Barrier.wait}, blocking the calling thread.
   *
   * If this party trips the barrier and the action is given by reference, its
   * module must already be loadable synchronously here (see the README:
   * "Barrier actions and waitSync").
   *
   * Python: `wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` uses the barrier's default timeout
   * @returns this party's index in the pass, `0 … parties-1`
   * @throws {@link BrokenBarrierError} when the barrier is or becomes broken
   * @throws the action's error in the party that ran the action (the barrier breaks)
   * @example
   * ```ts
   * const index = barrier.waitSync(5_000);
   * ```
   */
  waitSync(timeout?: number): number {
    return runSync(this.#waitOp(toTimeout(timeout ?? this.#timeout)));
  }

  /**
   * Returns the barrier to its initial state. Parties waiting in the current
   * pass get a {@link BrokenBarrierError}. Takes the barrier's lock, blocking
   * the calling thread for as long as another party holds it (an instant,
   * unless it is running the action).
   *
   * Python: `reset()`.
   *
   * @example
   * ```ts
   * barrier.reset();
   * ```
   */
  reset(): void {
    this.#locked(() => {
      const words = this.#words;
      if (Atomics.load(words, COUNT) > 0) {
        const state = Atomics.load(words, STATE);
        // Resetting clears when the last party inside has left.
        if (state === FILLING || state === BROKEN) Atomics.store(words, STATE, RESETTING);
      } else {
        Atomics.store(words, STATE, FILLING);
      }
      this.#condition.notifyAll();
    });
  }

  /**
   * Breaks the barrier: waiting parties and later `wait()` calls get a
   * {@link BrokenBarrierError} until {@link Barrier.reset}. Takes the barrier's
   * lock, like `reset()`.
   *
   * Python: `abort()`.
   *
   * @example
   * ```ts
   * barrier.abort();
   * ```
   */
  abort(): void {
    this.#locked(() => this.#break());
  }

  /** @internal The shared-object protocol: travels as its memory, its condition and its action's reference. */
  [share](_context: ShareContext): SharedState {
    const state: BarrierState = {
      region: this.#region,
      lock: this.#mutex,
      condition: this.#condition,
      parties: this.#parties,
      timeout: this.#timeout,
      action: this.#action ? { module: this.#action.ref.module, name: this.#action.ref.name } : null,
    };
    return { type: TYPE, module: import.meta.url, state };
  }

  /** `<Barrier(waiters=1/3)>`, or `<Barrier(broken)>` (after Python 3.13's repr). `String(x)` and `util.inspect` give the same. */
  toString(): string {
    return this.broken ? '<Barrier(broken)>' : `<Barrier(waiters=${this.nWaiting}/${this.#parties})>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }

  #locked(body: () => void): void {
    this.#mutex.acquireSync();
    try {
      body();
    } finally {
      this.#mutex.release();
    }
  }

  /** `threading.Barrier.wait`, line for line, with the lock and condition on shared memory. */
  *#waitOp(timeout: number): Op<number> {
    const words = this.#words;
    yield* this.#lock.acquireOp(Infinity);
    try {
      // _enter: block while the previous pass drains or a reset completes.
      let state = Atomics.load(words, STATE);
      while (state === DRAINING || state === RESETTING) {
        yield* conditionWaitOp(this.#condition, Infinity);
        state = Atomics.load(words, STATE);
      }
      if (state < 0) throw new BrokenBarrierError();
      const index = Atomics.add(words, COUNT, 1);
      try {
        if (index + 1 === this.#parties) this.#trip();
        else yield* this.#awaitTrip(timeout);
        return index;
      } finally {
        // _exit: the last party out of a drain (or reset) reopens the barrier.
        const inside = Atomics.sub(words, COUNT, 1) - 1;
        const after = Atomics.load(words, STATE);
        if (inside === 0 && (after === DRAINING || after === RESETTING)) {
          Atomics.store(words, STATE, FILLING);
          this.#condition.notifyAll();
        }
      }
    } finally {
      this.#mutex.release();
    }
  }

  /** _release: run the action, then drain. An action error breaks the barrier and reaches this party. */
  #trip(): void {
    try {
      if (this.#action) this.#action.get()();
      Atomics.store(this.#words, STATE, DRAINING);
      this.#condition.notifyAll();
    } catch (error) {
      this.#break();
      throw error;
    }
  }

  /** _wait: until the pass trips, is reset or breaks; a timeout breaks it. */
  *#awaitTrip(timeout: number): Op<void> {
    const words = this.#words;
    const tripped = yield* conditionWaitForOp(this.#condition, () => Atomics.load(words, STATE) !== FILLING, deadlineAfter(timeout));
    if (!tripped) {
      this.#break();
      throw new BrokenBarrierError(
        `Barrier.wait() timed out after ${timeout} ms with ${Atomics.load(words, COUNT)} of ${this.#parties} parties ` +
          'waiting: the barrier is now broken. Call reset() to use it again, or pass a longer timeout.',
      );
    }
    if (Atomics.load(words, STATE) < 0) throw new BrokenBarrierError();
  }

  #break(): void {
    Atomics.store(this.#words, STATE, BROKEN);
    this.#condition.notifyAll();
  }
}
