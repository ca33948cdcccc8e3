import { inspect } from 'node:util';
import { defineShared, share, type Shareable, type SharedRegion, type SharedState } from '@mp/core';
import { atomicCompareExchange, atomicLoad, atomicStore, atomicUpdate } from './internal/atomics.js';
import { pythonRepr, resolveTypecode, toElement, zeroOf, type AnyTypedArray } from './internal/elements.js';
import { allocateElements, viewOver } from './internal/raw-view.js';
import type { InputOf, IntegerTypecode, Typecode, TypecodeInfo, ValueOf } from './typecode.js';

const TYPE = '@mp/shared.RawValue';

interface RawValueState {
  readonly typecode: Typecode;
  readonly region: SharedRegion;
}

/**
 * One number in shared memory without a lock (what {@link RawValue} returns).
 * It has the atomic helpers of {@link Value} and no `getLock()`.
 *
 * Python: the ctypes object returned by `multiprocessing.RawValue`.
 */
export interface RawValue<C extends Typecode = Typecode> extends Shareable {
  /** The typecode it was created with. */
  readonly typecode: C;
  /** The value; plain reads and writes, no lock. Integers that do not fit wrap. Python: `.value`. */
  get value(): ValueOf<C>;
  set value(value: InputOf<C>);
  /** Atomically adds; returns the value before. See {@link Value.add}. */
  add<T extends IntegerTypecode>(this: RawValue<T>, delta: InputOf<T>): ValueOf<T>;
  /** Atomically subtracts; returns the value before. See {@link Value.sub}. */
  sub<T extends IntegerTypecode>(this: RawValue<T>, delta: InputOf<T>): ValueOf<T>;
  /** Atomic AND; returns the value before. */
  and<T extends IntegerTypecode>(this: RawValue<T>, mask: InputOf<T>): ValueOf<T>;
  /** Atomic OR; returns the value before. */
  or<T extends IntegerTypecode>(this: RawValue<T>, mask: InputOf<T>): ValueOf<T>;
  /** Atomic XOR; returns the value before. */
  xor<T extends IntegerTypecode>(this: RawValue<T>, mask: InputOf<T>): ValueOf<T>;
  /** Atomically replaces; returns the value before. */
  exchange<T extends IntegerTypecode>(this: RawValue<T>, value: InputOf<T>): ValueOf<T>;
  /** Atomic compare-and-swap; returns the value before. See {@link Value.compareExchange}. */
  compareExchange<T extends IntegerTypecode>(this: RawValue<T>, expected: InputOf<T>, replacement: InputOf<T>): ValueOf<T>;
  /** Atomic read. */
  load<T extends IntegerTypecode>(this: RawValue<T>): ValueOf<T>;
  /** Atomic write. */
  store<T extends IntegerTypecode>(this: RawValue<T>, value: InputOf<T>): void;
}

class RawCell<C extends Typecode> implements RawValue<C> {
  static {
    defineShared<RawValueState>(TYPE, (state) => new RawCell(state.typecode, state.region));
  }

  readonly typecode: C;
  readonly #info: TypecodeInfo;
  readonly #region: SharedRegion;
  readonly #view: AnyTypedArray;

  constructor(typecode: C, region: SharedRegion) {
    this.typecode = typecode;
    this.#info = resolveTypecode(typecode);
    this.#region = region;
    this.#view = viewOver(this.#info.typecode, region, 1);
  }

  get value(): ValueOf<C> {
    return this.#view[0] as ValueOf<C>;
  }

  set value(value: InputOf<C>) {
    this.#view[0] = toElement(this.typecode, this.#info, value, 'the value') as never;
  }

  add<T extends IntegerTypecode>(this: RawCell<T>, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('add', this.typecode, this.#info, this.#view, 0, delta) as ValueOf<T>;
  }

  sub<T extends IntegerTypecode>(this: RawCell<T>, delta: InputOf<T>): ValueOf<T> {
    return atomicUpdate('sub', this.typecode, this.#info, this.#view, 0, delta) as ValueOf<T>;
  }

  and<T extends IntegerTypecode>(this: RawCell<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('and', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  or<T extends IntegerTypecode>(this: RawCell<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('or', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  xor<T extends IntegerTypecode>(this: RawCell<T>, mask: InputOf<T>): ValueOf<T> {
    return atomicUpdate('xor', this.typecode, this.#info, this.#view, 0, mask) as ValueOf<T>;
  }

  exchange<T extends IntegerTypecode>(this: RawCell<T>, value: InputOf<T>): ValueOf<T> {
    return atomicUpdate('exchange', this.typecode, this.#info, this.#view, 0, value) as ValueOf<T>;
  }

  compareExchange<T extends IntegerTypecode>(this: RawCell<T>, expected: InputOf<T>, replacement: InputOf<T>): ValueOf<T> {
    return atomicCompareExchange(this.typecode, this.#info, this.#view, 0, expected, replacement) as ValueOf<T>;
  }

  load<T extends IntegerTypecode>(this: RawCell<T>): ValueOf<T> {
    return atomicLoad(this.typecode, this.#info, this.#view, 0) as ValueOf<T>;
  }

  store<T extends IntegerTypecode>(this: RawCell<T>, value: InputOf<T>): void {
    atomicStore(this.typecode, this.#info, this.#view, 0, value);
  }

  [share](): SharedState {
    const state: RawValueState = { typecode: this.typecode, region: this.#region };
    return { type: TYPE, module: import.meta.url, state };
  }

  toString(): string {
    return `${this.#info.ctype}(${pythonRepr(this.#info, this.#view[0]!)})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Allocates one number in shared memory with no lock. It travels to children
 * by identity; reads and writes are plain (use the atomic helpers, or a lock
 * of your own, when several threads write).
 *
 * Python: `multiprocessing.RawValue(typecode_or_type, *args)`.
 *
 * @param typecode - `'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'` or a ctypes name (`'c_int'`, `'c_double'`, …)
 * @param initial - the initial value; integers that do not fit wrap as in C
 * @returns an object with a `value` property (and atomic helpers) over shared memory
 * @throws {@link TypecodeError} for an unknown typecode
 * @throws TypeError for an initial value of the wrong kind, naming the typecode
 * @defaultValue `initial`: `0` (`0n`)
 * @example
 * ```ts
 * const done = RawValue('i', 0);
 * done.add(1);
 * console.log(done.value); // 1
 * ```
 */
export function RawValue<C extends Typecode>(typecode: C, initial?: InputOf<C>): RawValue<C> {
  const info = resolveTypecode(typecode);
  const value = initial === undefined ? zeroOf(info) : toElement(typecode, info, initial, 'the initial value');
  const cell = new RawCell(typecode, allocateElements(info, 1));
  cell.value = value as InputOf<C>;
  return cell;
}
