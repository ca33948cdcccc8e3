import { inspect } from 'node:util';
import { defineShared, share, type Shareable, type SharedRegion, type SharedState } from '@mp/core';
import { checkOptions } from '@mp/core/internal';
import { atomicCompareExchange, atomicLoad, atomicStore, atomicUpdate } from './internal/atomics.js';
import { nameOf, pythonRepr, resolveTypecode, toContents, toElement, toIndex, type AnyTypedArray } from './internal/elements.js';
import { noLock, resolveLock, type AnyLock, type Lock, type RLock } from './internal/lock.js';
import { allocateElements, viewOver } from './internal/raw-view.js';
import type { SynchronizedOptions } from './options.js';
import type { InputOf, IntegerTypecode, Typecode, TypecodeInfo, TypedArrayOf, ValueOf } from './typecode.js';

const TYPE = '@mp/shared.SharedArray';
/** How many elements the repr shows before `…`. */
const REPR_ELEMENTS = 20;

interface SharedArrayState {
  readonly typecode: Typecode;
  readonly region: SharedRegion;
  readonly length: number;
  readonly lock: AnyLock | null;
}

/**
 * True for a property key that names an element, as typed arrays decide it: a
 * canonical numeric string (`'0'`, `'-1'`, `'1.5'`, `'NaN'`). The element
 * accessors then reject what is not an integer in range, with Python's errors.
 */
function isIndexKey(key: string): boolean {
  return key === '-0' || String(Number(key)) === key;
}

/** Set while a received SharedArray is rebuilt, so that the constructor adopts it instead of allocating. */
let reviving: SharedArrayState | undefined;

/**
 * A fixed-length array of numbers in shared memory, guarded by a lock: a
 * child's writes are seen by the parent (after `join()`, or after taking the lock).
 *
 * Python: `multiprocessing.Array(typecode_or_type, size_or_initializer, *, lock=True)`
 * (named `SharedArray` so as not to shadow JavaScript's `Array`).
 *
 * The tutorial's program (`apps/examples/src/value-array.ts`):
 *
 * {@includeCode ../../../apps/examples/src/value-array.ts#main}
 *
 * @typeParam C - the typecode; elements are `bigint` for `'l' 'L' 'q' 'Q'` and their ctypes names, `number` otherwise
 * @example
 * ```ts
 * const num = new Value('d', 0);
 * const arr = new SharedArray('i', [0, 1, 2]);
 * new Process({ target: func, args: [num, arr] }).start(); // the child writes num.value, arr.set(i, x)
 * ```
 */
export class SharedArray<C extends Typecode = Typecode> implements Shareable, Iterable<ValueOf<C>> {
  static {
    defineShared<SharedArrayState>(TYPE, (state) => {
      reviving = state;
      try {
        return new SharedArray(state.typecode, 0);
      } finally {
        reviving = undefined;
      }
    });
    // `arr[0]` and `arr[0] = 5` (Python's `arr[i]`), without a Proxy around each
    // array: a property that neither the instance nor this prototype has is
    // looked up further up the prototype chain, so a Proxy placed *above*
    // SharedArray.prototype sees only the misses — indexes, and names nobody
    // defined. `get(i)`, `set(i, x)`, `length` and every method are found
    // before the lookup reaches it, so their cost does not change
    // (bench/array-index.bench.ts measures it). Without this, `arr[0] = 5` in
    // plain JavaScript would add an ordinary property and leave the shared
    // memory untouched — silently.
    const isArray = (value: unknown): value is SharedArray => typeof value === 'object' && value !== null && #view in value;
    Object.setPrototypeOf(
      this.prototype,
      new Proxy(Object.prototype, {
        get(target, key, receiver: unknown) {
          if (typeof key === 'string' && isIndexKey(key) && isArray(receiver)) return receiver.get(Number(key));
          return Reflect.get(target, key, receiver);
        },
        set(target, key, value: unknown, receiver: unknown) {
          if (typeof key === 'string' && isIndexKey(key) && isArray(receiver)) {
            receiver.set(Number(key), value as never);
            return true;
          }
          return Reflect.set(target, key, value, receiver);
        },
      }),
    );
  }

  /**
   * `arr[i]` reads and `arr[i] = x` writes element `i` (negative counts from the
   * end), exactly as {@link SharedArray.get} and {@link SharedArray.set} do:
   * under the lock, with the same checks. As in Python, `arr[i] += 1` is a read
   * then a write, two separate lock holds: not atomic — hold `getLock()` around it.
   */
  [index: number]: ValueOf<C>;

  /** The typecode the array was created with (a one-letter code or a ctypes name). */
  readonly typecode: C;
  /** The number of elements. Python: `len(arr)`. */
  readonly length: number;
  readonly #info: TypecodeInfo;
  readonly #region: SharedRegion;
  readonly #view: AnyTypedArray;
  readonly #lock: AnyLock | null;

  /**
   * Allocates the array in shared memory.
   *
   * @param typecode - `'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'` or a ctypes name (`'c_int'`, `'c_double'`, …)
   * @param sizeOrInit - a length (the array is zero-filled), or the initial elements (any iterable);
   *   integers that do not fit wrap as in C
   * @param options - `lock`: `true` (a new RLock), `false` (none) or a Lock/RLock to use
   * @throws {@link TypecodeError} for an unknown typecode
   * @throws RangeError for a negative or non-integer size
   * @throws TypeError for an element of the wrong kind (naming its index), or a bad `lock` option
   */
  constructor(typecode: C, sizeOrInit: number | Iterable<InputOf<C>>, options: SynchronizedOptions = {}) {
    const state = reviving;
    reviving = undefined;
    this.typecode = typecode;
    const info = (this.#info = resolveTypecode(typecode));
    if (state) {
      this.length = state.length;
      this.#region = state.region;
      this.#lock = state.lock;
      this.#view = viewOver(info.typecode, state.region, state.length);
      return;
    }
    const { length, values } = toContents(typecode, info, sizeOrInit, 'SharedArray');
    this.#lock = resolveLock(checkOptions(options, ['lock'], `SharedArray(${nameOf(typecode, info)})`).lock, `SharedArray(${nameOf(typecode, info)})`);
    this.length = length;
    this.#region = allocateElements(info, length);
    this.#view = viewOver(info.typecode, this.#region, length);
    if (values) (this.#view as Int32Array).set(values as number[]);
  }

  /**
   * The live typed array over the shared memory: no lock, no checks, full
   * typed-array speed. It travels to children by identity, like the array.
   *
   * Python: `arr.get_obj()` (the raw ctypes array).
   *
   * @example
   * ```ts
   * const lock = arr.getLock();
   * lock.acquireSync();
   * try { arr.raw.sort(); } finally { lock.release(); }
   * ```
   */
  get raw(): TypedArrayOf<C> {
    return this.#view as TypedArrayOf<C>;
  }

  /**
   * The element at `index` (negative counts from the end), read under the lock.
   *
   * Python: `arr[index]`.
   *
   * @throws {@link IndexError} for an index out of range, naming it; TypeError for a non-integer index
   * @example
   * ```ts
   * arr.get(-1); // the last element
   * ```
   */
  get(index: number): ValueOf<C> {
    const at = toIndex(this.typecode, this.#info, index, this.length, 'SharedArray');
    const lock = this.#lock;
    if (lock === null) return this.#view[at] as ValueOf<C>;
    lock.acquireSync();
    try {
      return this.#view[at] as ValueOf<C>;
    } finally {
      lock.release();
    }
  }

  /**
   * Writes the element at `index` (negative counts from the end) under the lock.
   * Integers that do not fit wrap as in C.
   *
   * Python: `arr[index] = value`.
   *
   * @throws {@link IndexError} for an index out of range; TypeError for a value of the wrong kind, naming the typecode
   * @example
   * ```ts
   * for (let i = 0; i < arr.length; i++) arr.set(i, -arr.get(i));
   * ```
   */
  set(index: number, value: InputOf<C>): void {
    const at = toIndex(this.typecode, this.#info, index, this.length, 'SharedArray');
    const element = toElement(this.typecode, this.#info, value, `element [${index}]`);
    const lock = this.#lock;
    if (lock === null) {
      this.#view[at] = element as never;
      return;
    }
    lock.acquireSync();
    try {
      this.#view[at] = element as never;
    } finally {
      lock.release();
    }
  }

  /**
   * A copy of the elements from `start` to `end` (exclusive; negative counts
   * from the end, out-of-range bounds are clamped), read under the lock in one go.
   *
   * Python: `arr[start:end]`, `arr[:]`.
   *
   * @returns a plain array
   * @example
   * ```ts
   * console.log(arr.slice()); // [ 0, 1, 2 ]
   * ```
   */
  slice(start?: number, end?: number): ValueOf<C>[] {
    const lock = this.#lock;
    lock?.acquireSync();
    try {
      return Array.from(this.#view.subarray(start, end) as ArrayLike<number | bigint>) as ValueOf<C>[];
    } finally {
      lock?.release();
    }
  }

  /**
   * Iterates over the elements; each is read under the lock, as Python's
   * iteration over an `Array` reads `arr[0]`, `arr[1]`, … Hold `getLock()`
   * around the loop (or use {@link SharedArray.slice}) for a consistent snapshot.
   *
   * Python: `for x in arr`.
   *
   * @example
   * ```ts
   * let sum = 0;
   * for (const x of arr) sum += x;
   * ```
   */
  *[Symbol.iterator](): IterableIterator<ValueOf<C>> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /**
   * The lock that guards the array: hold it to make several operations one.
   * It is re-entrant by default, so `get`/`set` can take it again.
   *
   * Python: `get_lock()`.
   *
   * @returns the Lock or RLock given as `lock`, or the RLock created for this array
   * @throws {@link NoLockError} when created with `{ lock: false }`
   * @example
   * ```ts
   * const lock = arr.getLock();
   * lock.acquireSync();
   * try { arr.set(0, arr.get(0) + 1); } finally { lock.release(); }
   * ```
   */
  getLock(): Lock | RLock {
    if (this.#lock === null) throw noLock(`SharedArray(${nameOf(this.typecode, this.#info)})`);
    return this.#lock;
  }

  /**
   * Atomically adds `delta` to the element at `index` (wrapping on overflow), without the lock.
   *
   * Python: none (`with arr.get_lock(): arr[i] += delta`).
   *
   * @returns the element before the addition
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * histogram.add(bucket, 1);
   * ```
   */
  add<T extends IntegerTypecode>(this: SharedArray<T>, index: number, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('add', this.typecode, this.#info, this.#view, this.#at(index), delta) as ValueOf<T>;
  }

  /**
   * Atomically subtracts `delta` from the element at `index`, without the lock.
   *
   * Python: none.
   *
   * @returns the element before
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * stock.sub(item, 1);
   * ```
   */
  sub<T extends IntegerTypecode>(this: SharedArray<T>, index: number, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('sub', this.typecode, this.#info, this.#view, this.#at(index), delta) as ValueOf<T>;
  }

  /**
   * Atomically ANDs the element at `index` with `mask`, without the lock.
   *
   * Python: none.
   *
   * @returns the element before
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * bits.and(word, ~(1 << bit));
   * ```
   */
  and<T extends IntegerTypecode>(this: SharedArray<T>, index: number, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('and', this.typecode, this.#info, this.#view, this.#at(index), mask) as ValueOf<T>;
  }

  /**
   * Atomically ORs `mask` into the element at `index`, without the lock.
   *
   * Python: none.
   *
   * @returns the element before
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * bits.or(word, 1 << bit);
   * ```
   */
  or<T extends IntegerTypecode>(this: SharedArray<T>, index: number, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('or', this.typecode, this.#info, this.#view, this.#at(index), mask) as ValueOf<T>;
  }

  /**
   * Atomically XORs the element at `index` with `mask`, without the lock.
   *
   * Python: none.
   *
   * @returns the element before
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * bits.xor(word, 1 << bit);
   * ```
   */
  xor<T extends IntegerTypecode>(this: SharedArray<T>, index: number, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('xor', this.typecode, this.#info, this.#view, this.#at(index), mask) as ValueOf<T>;
  }

  /**
   * Atomically replaces the element at `index`, without the lock.
   *
   * Python: none.
   *
   * @returns the element before
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * const seen = slots.exchange(i, 0);
   * ```
   */
  exchange<T extends IntegerTypecode>(this: SharedArray<T>, index: number, value: InputOf<T>): ValueOf<T> {
    return atomicUpdate('exchange', this.typecode, this.#info, this.#view, this.#at(index), value) as ValueOf<T>;
  }

  /**
   * Atomically stores `replacement` at `index` if the element equals
   * `expected` (both wrapped to the type first), without the lock.
   *
   * Python: none.
   *
   * @returns the element before: equal to `expected` (wrapped) exactly when the exchange happened
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * if (owners.compareExchange(slot, 0, me) === 0) console.log('slot claimed');
   * ```
   */
  compareExchange<T extends IntegerTypecode>(
    this: SharedArray<T>,
    index: number,
    expected: InputOf<T>,
    replacement: InputOf<T>,
  ): ValueOf<T> {
    return atomicCompareExchange(this.typecode, this.#info, this.#view, this.#at(index), expected, replacement) as ValueOf<T>;
  }

  /**
   * Reads the element at `index` atomically, without the lock.
   *
   * Python: none.
   *
   * @returns the element
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * while (done.load(0) < workers) await nextTick();
   * ```
   */
  load<T extends IntegerTypecode>(this: SharedArray<T>, index: number): ValueOf<T> {
    return atomicLoad(this.typecode, this.#info, this.#view, this.#at(index)) as ValueOf<T>;
  }

  /**
   * Writes the element at `index` atomically, without the lock.
   *
   * Python: none.
   *
   * @throws {@link TypecodeError} for a float typecode; {@link IndexError} for an index out of range
   * @example
   * ```ts
   * results.store(i, answer);
   * ```
   */
  store<T extends IntegerTypecode>(this: SharedArray<T>, index: number, value: InputOf<T>): void {
    atomicStore(this.typecode, this.#info, this.#view, this.#at(index), value);
  }

  #at(index: number): number {
    return toIndex(this.typecode, this.#info, index, this.length, 'SharedArray');
  }

  /** @internal The shared-object protocol: the memory and the lock travel, by identity. */
  [share](): SharedState {
    const state: SharedArrayState = { typecode: this.typecode, region: this.#region, length: this.length, lock: this.#lock };
    return { type: TYPE, module: import.meta.url, state };
  }

  /** A Python-like repr, read without the lock: `<SynchronizedArray wrapper for c_int_Array_3 [0, 1, 2]>`. */
  toString(): string {
    const shown = Array.from(this.#view.subarray(0, REPR_ELEMENTS) as ArrayLike<number | bigint>, (x) => pythonRepr(this.#info, x));
    if (this.length > REPR_ELEMENTS) shown.push('…');
    const inner = `${this.#info.ctype}_Array_${this.length} [${shown.join(', ')}]`;
    return this.#lock === null ? inner : `<SynchronizedArray wrapper for ${inner}>`;
  }

  /** @internal `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
