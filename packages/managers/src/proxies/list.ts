import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a list held by a manager. Indexes count from the end when
 * negative, as in Python; a bad index is a {@link RemoteError} named
 * `IndexError`. Values compare by structure (`index`, `count`, `remove`).
 *
 * Python: `ListProxy` (`l[i]` → `get(i)`, `l[i] = v` → `set(i, v)`, `len(l)` →
 * `length()`, `l[a:b]` → `slice(a, b)`).
 *
 * @typeParam T - the items
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#list}
 */
export class ListProxy<T = unknown> extends BaseProxy {
  static {
    defineProxyKind('list', ListProxy);
  }

  /** Adds an item at the end. Python: `append`. @param item - the item @returns when done */
  async append(item: T): Promise<void> {
    await this.callMethod('append', [item]);
  }

  /** Adds items at the end. Python: `extend`. @param items - the items @returns when done */
  async extend(items: readonly T[]): Promise<void> {
    await this.callMethod('extend', [items]);
  }

  /** The item at `i`. Python: `l[i]`. @param i - index (negative: from the end) @returns the item */
  get(i: number): Promise<T> {
    return this.callMethod('get', [i]) as Promise<T>;
  }

  /** Replaces the item at `i`. Python: `l[i] = value`. @param i - index @param value - the item @returns when done */
  async set(i: number, value: T): Promise<void> {
    await this.callMethod('set', [i, value]);
  }

  /** The number of items. Python: `len(l)`. @returns the count */
  length(): Promise<number> {
    return this.callMethod('length') as Promise<number>;
  }

  /** Removes and returns the item at `i` (the last by default). Python: `pop(i=-1)`. @param i - index @returns the item */
  pop(i?: number): Promise<T> {
    return this.callMethod('pop', i === undefined ? [] : [i]) as Promise<T>;
  }

  /** Inserts `item` before index `i`. Python: `insert(i, item)`. @param i - index @param item - the item @returns when done */
  async insert(i: number, item: T): Promise<void> {
    await this.callMethod('insert', [i, item]);
  }

  /** The first index of `value` (`ValueError` when absent). Python: `index(value, start, end)`. @param value - the item @param start - first index @param end - end index @returns the index */
  index(value: T, start?: number, end?: number): Promise<number> {
    return this.callMethod('index', [value, ...(start === undefined ? [] : [start]), ...(end === undefined ? [] : [end])]) as Promise<number>;
  }

  /** How many items equal `value`. Python: `count`. @param value - the item @returns the count */
  count(value: T): Promise<number> {
    return this.callMethod('count', [value]) as Promise<number>;
  }

  /** Removes the first item equal to `value` (`ValueError` when absent). Python: `remove`. @param value - the item @returns when done */
  async remove(value: T): Promise<void> {
    await this.callMethod('remove', [value]);
  }

  /** Sorts numbers or strings in place (no `key`: a function cannot cross). Python: `sort(reverse=False)`. @param options - `reverse` @returns when done */
  async sort(options?: { reverse?: boolean }): Promise<void> {
    await this.callMethod('sort', options === undefined ? [] : [options]);
  }

  /** Reverses in place. Python: `reverse`. @returns when done */
  async reverse(): Promise<void> {
    await this.callMethod('reverse');
  }

  /** A copy of the items from `start` to `end`. Python: `l[start:end]`. @param start - first index @param end - end index @returns an array */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.callMethod('slice', [start, end]) as Promise<T[]>;
  }

  /** Removes every item. Python: `clear`. @returns when done */
  async clear(): Promise<void> {
    await this.callMethod('clear');
  }

  /** A copy of all items. Python: `list(l)` / `l[:]`. @returns an array */
  toArray(): Promise<T[]> {
    return this.callMethod('toArray') as Promise<T[]>;
  }
}
