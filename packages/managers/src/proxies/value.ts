import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a Value held by a manager: `await v.get()`, `await v.set(x)`
 * (as in CPython, the manager's Value stores what it is given; the typecode is
 * kept, not enforced).
 *
 * Python: `ValueProxy` (`v.value` → `get()`, `v.value = x` → `set(x)`).
 *
 * @typeParam T - the value
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#value}
 */
export class ValueProxy<T = unknown> extends BaseProxy {
  static {
    defineProxyKind('value', ValueProxy);
  }

  /** The value. Python: `v.value` / `v.get()`. @returns the value */
  get(): Promise<T> {
    return this.callMethod('get') as Promise<T>;
  }

  /** Replaces the value. Python: `v.value = x` / `v.set(x)`. @param value - the new value @returns when done */
  async set(value: T): Promise<void> {
    await this.callMethod('set', [value]);
  }
}

/**
 * A proxy of an array held by a manager (Python's `array.array(typecode, seq)`:
 * values are checked against the typecode; 'l', 'L', 'q', 'Q' hold bigints).
 *
 * Python: `ArrayProxy` (`a[i]` → `get(i)`, `a[i] = v` → `set(i, v)`, `len(a)` →
 * `length()`, `a[:]` → `toArray()`).
 *
 * @typeParam T - `number`, or `bigint` for 64-bit typecodes
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#value}
 */
export class ArrayProxy<T extends number | bigint = number> extends BaseProxy {
  static {
    defineProxyKind('array', ArrayProxy);
  }

  /** The item at `i` (negative: from the end). Python: `a[i]`. @param i - index @returns the item */
  get(i: number): Promise<T> {
    return this.callMethod('get', [i]) as Promise<T>;
  }

  /** Sets the item at `i`. Python: `a[i] = value`. @param i - index @param value - the value @returns when done @throws {@link RemoteError} `RangeError`/`TypeError` (rejection) when it does not fit the typecode */
  async set(i: number, value: T): Promise<void> {
    await this.callMethod('set', [i, value]);
  }

  /** The number of items. Python: `len(a)`. @returns the length */
  length(): Promise<number> {
    return this.callMethod('length') as Promise<number>;
  }

  /** Items from `start` to `end`. Python: `a[start:end]`. @param start - first index @param end - end index @returns an array */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.callMethod('slice', [start, end]) as Promise<T[]>;
  }

  /** Every item. Python: `a[:]`. @returns an array */
  toArray(): Promise<T[]> {
    return this.callMethod('toArray') as Promise<T[]>;
  }
}
