import { inspect } from 'node:util';
import { defineShared, share, type Shareable, type SharedRegion, type SharedState } from '@mp/core';
import { checkOptions } from '@mp/core/internal';
import { atomicCompareExchange, atomicLoad, atomicStore, atomicUpdate } from './internal/atomics.js';
import { nameOf, pythonRepr, resolveTypecode, toElement, zeroOf, type AnyTypedArray } from './internal/elements.js';
import { noLock, resolveLock, type AnyLock, type Lock, type RLock } from './internal/lock.js';
import { allocateElements, viewOver } from './internal/raw-view.js';
import type { SynchronizedOptions } from './options.js';
import type { InputOf, IntegerTypecode, Typecode, TypecodeInfo, ValueOf } from './typecode.js';

const TYPE = '@mp/shared.Value';

interface ValueState {
  readonly typecode: Typecode;
  readonly region: SharedRegion;
  readonly lock: AnyLock | null;
}

/** Set while a received Value is rebuilt, so that the constructor adopts it instead of allocating. */
let reviving: ValueState | undefined;

/**
 * One number in shared memory, guarded by a lock: a child's writes are seen
 * by the parent (after `join()`, or after taking the lock).
 *
 * Python: `multiprocessing.Value(typecode_or_type, *args, lock=True)`.
 *
 * The tutorial's program (`apps/examples/src/value-array.ts`):
 *
 * {@includeCode ../../../apps/examples/src/value-array.ts#main}
 *
 * @typeParam C - the typecode; `.value` is a `bigint` for `'l' 'L' 'q' 'Q'` and their ctypes names, a `number` otherwise
 * @example
 * ```ts
 * const num = new Value('d', 0);
 * const arr = new SharedArray('i', [0, 1, 2]);
 * new Process({ target: func, args: [num, arr] }).start(); // the child writes num.value, arr.set(i, x)
 * ```
 */
export class Value<C extends Typecode = Typecode> implements Shareable {
  static {
    defineShared<ValueState>(TYPE, (state) => {
      reviving = state;
      try {
        return new Value(state.typecode);
      } finally {
        reviving = undefined;
      }
    });
  }

  /** The typecode the value was created with (a one-letter code or a ctypes name). */
  readonly typecode: C;
  readonly #info: TypecodeInfo;
  readonly #region: SharedRegion;
  readonly #view: AnyTypedArray;
  readonly #lock: AnyLock | null;

  /**
   * Allocates the value in shared memory.
   *
   * @param typecode - `'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'` or a ctypes name (`'c_int'`, `'c_double'`, …)
   * @param initial - the initial value; integers that do not fit wrap as in C (`new Value('b', 200).value === -56`)
   * @param options - `lock`: `true` (a new RLock), `false` (none) or a Lock/RLock to use
   * @throws {@link TypecodeError} for an unknown typecode
   * @throws TypeError for an initial value of the wrong kind (`1.5` for `'i'`, a string) or a bad `lock` option
   * @defaultValue `initial`: `0` (`0n`)
   */
  constructor(typecode: C, initial?: InputOf<C>, options: SynchronizedOptions = {}) {
    const state = reviving;
    reviving = undefined;
    this.typecode = typecode;
    const info = (this.#info = resolveTypecode(typecode));
    if (state) {
      this.#region = state.region;
      this.#lock = state.lock;
      this.#view = viewOver(info.typecode, state.region, 1);
      return;
    }
    const value = initial === undefined ? zeroOf(info) : toElement(typecode, info, initial, 'the initial value');
    this.#lock = resolveLock(checkOptions(options, ['lock'], `Value(${nameOf(typecode, info)})`).lock, `Value(${nameOf(typecode, info)})`);
    this.#region = allocateElements(info, 1);
    this.#view = viewOver(info.typecode, this.#region, 1);
    this.#view[0] = value as never;
  }

  /**
   * The value. Each read and each write takes the lock (when there is one), so
   * a single read or write is never torn — but `v.value += 1` is a read and a
   * write: hold `getLock()` around it (or use {@link Value.add}).
   *
   * Python: `.value`.
   *
   * @throws TypeError (on write) for a value of the wrong kind, naming the typecode
   */
  get value(): ValueOf<C> {
    const lock = this.#lock;
    if (lock === null) return this.#view[0] as ValueOf<C>;
    // The lock's acquire and release are atomic operations, so everything
    // written before another thread released it is visible after we acquire it.
    lock.acquireSync();
    try {
      return this.#view[0] as ValueOf<C>;
    } finally {
      lock.release();
    }
  }

  set value(value: InputOf<C>) {
    const element = toElement(this.typecode, this.#info, value, 'the value');
    const lock = this.#lock;
    if (lock === null) {
      this.#view[0] = element as never;
      return;
    }
    lock.acquireSync();
    try {
      this.#view[0] = element as never;
    } finally {
      lock.release();
    }
  }

  /**
   * The lock that guards the value: hold it to make several operations one
   * (`v.value += 1`). It is re-entrant by default, so `.value` can take it again.
   *
   * Python: `get_lock()`.
   *
   * @returns the Lock or RLock given as `lock`, or the RLock created for this value
   * @throws {@link NoLockError} when created with `{ lock: false }`
   * @example
   * ```ts
   * const lock = v.getLock();
   * lock.acquireSync();
   * try { v.value += 1; } finally { lock.release(); }
   * ```
   */
  getLock(): Lock | RLock {
    if (this.#lock === null) throw noLock(`Value(${nameOf(this.typecode, this.#info)})`);
    return this.#lock;
  }

  /**
   * Atomically adds `delta` (wrapping on overflow), without the lock.
   *
   * Python: none (`with v.get_lock(): v.value += delta`).
   *
   * @returns the value before the addition
   * @throws {@link TypecodeError} for a float typecode; TypeError for an operand of the wrong kind
   * @example
   * ```ts
   * const counter = new Value('i', 0);
   * counter.add(1); // in any number of threads: no increment is lost
   * ```
   */
  add<T extends IntegerTypecode>(this: Value<T>, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('add', this.typecode, this.#info, this.#view, 0, delta) as ValueOf<T>;
  }

  /**
   * Atomically subtracts `delta` (wrapping on overflow), without the lock.
   *
   * Python: none (`with v.get_lock(): v.value -= delta`).
   *
   * @returns the value before the subtraction
   * @throws {@link TypecodeError} for a float typecode; TypeError for an operand of the wrong kind
   * @example
   * ```ts
   * if (tickets.sub(1) <= 0) tickets.add(1); // sold out: give it back
   * ```
   */
  sub<T extends IntegerTypecode>(this: Value<T>, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('sub', this.typecode, this.#info, this.#view, 0, delta) as ValueOf<T>;
  }

  /**
   * Atomically ANDs the value with `mask`, without the lock.
   *
   * Python: none.
   *
   * @returns the value before
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * flags.and(~READY);
   * ```
   */
  and<T extends IntegerTypecode>(this: Value<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('and', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  /**
   * Atomically ORs `mask` into the value, without the lock.
   *
   * Python: none.
   *
   * @returns the value before
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * flags.or(READY);
   * ```
   */
  or<T extends IntegerTypecode>(this: Value<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('or', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  /**
   * Atomically XORs the value with `mask`, without the lock.
   *
   * Python: none.
   *
   * @returns the value before
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * flags.xor(TOGGLE);
   * ```
   */
  xor<T extends IntegerTypecode>(this: Value<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('xor', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  /**
   * Atomically replaces the value, without the lock.
   *
   * Python: none.
   *
   * @returns the value before
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * const pending = counter.exchange(0); // take everything counted so far
   * ```
   */
  exchange<T extends IntegerTypecode>(this: Value<T>, value: InputOf<T>): ValueOf<T> {
    return atomicUpdate('exchange', this.typecode, this.#info, this.#view, 0, value) as ValueOf<T>;
  }

  /**
   * Atomically stores `replacement` if the value equals `expected` (both
   * wrapped to the type first), without the lock: the building block of
   * lock-free updates other than add/sub.
   *
   * Python: none.
   *
   * @returns the value before: equal to `expected` (wrapped) exactly when the exchange happened
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * // keep the maximum
   * let seen = max.load();
   * while (candidate > seen) {
   *   const before = max.compareExchange(seen, candidate);
   *   if (before === seen) break;
   *   seen = before;
   * }
   * ```
   */
  compareExchange<T extends IntegerTypecode>(this: Value<T>, expected: InputOf<T>, replacement: InputOf<T>): ValueOf<T> {
    return atomicCompareExchange(this.typecode, this.#info, this.#view, 0, expected, replacement) as ValueOf<T>;
  }

  /**
   * Reads the value atomically, without the lock.
   *
   * Python: none.
   *
   * @returns the value
   * @throws {@link TypecodeError} for a float typecode
   * @example
   * ```ts
   * console.log(counter.load());
   * ```
   */
  load<T extends IntegerTypecode>(this: Value<T>): ValueOf<T> {
    return atomicLoad(this.typecode, this.#info, this.#view, 0) as ValueOf<T>;
  }

  /**
   * Writes the value atomically, without the lock.
   *
   * Python: none.
   *
   * @throws {@link TypecodeError} for a float typecode; TypeError for a value of the wrong kind
   * @example
   * ```ts
   * counter.store(0);
   * ```
   */
  store<T extends IntegerTypecode>(this: Value<T>, value: InputOf<T>): void {
    atomicStore(this.typecode, this.#info, this.#view, 0, value);
  }

  /** @internal The shared-object protocol: the memory and the lock travel, by identity. */
  [share](): SharedState {
    const state: ValueState = { typecode: this.typecode, region: this.#region, lock: this.#lock };
    return { type: TYPE, module: import.meta.url, state };
  }

  /** Python's repr, read without the lock: `<Synchronized wrapper for c_double(0.0)>`. */
  toString(): string {
    const inner = `${this.#info.ctype}(${pythonRepr(this.#info, this.#view[0]!)})`;
    return this.#lock === null ? inner : `<Synchronized wrapper for ${inner}>`;
  }

  /** @internal `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
