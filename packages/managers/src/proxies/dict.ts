import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a dict held by a manager: a `Map` there, whose keys compare as
 * `Map` keys do (strings, numbers, bigints, booleans; an object key sent by a
 * call is a new copy and never matches). Every method is async.
 *
 * Python: `DictProxy` (`d[k]` → `get(k)`, `d[k] = v` → `set(k, v)`, `k in d` →
 * `has(k)`, `del d[k]` → `delete(k)`, `len(d)` → `size()`).
 *
 * @typeParam K - keys
 * @typeParam V - values
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#dict}
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  static {
    defineProxyKind('dict', DictProxy);
  }

  /** The value of `key`, or `fallback` (undefined) when it has none. Python: `d.get(key, default)`. @param key - the key @param fallback - returned when the key is missing @returns the value */
  get(key: K, fallback?: V): Promise<V | undefined> {
    return this.callMethod('get', [key, fallback]) as Promise<V | undefined>;
  }

  /** Sets `key` to `value`. Python: `d[key] = value`. @param key - the key @param value - the value @returns when done */
  async set(key: K, value: V): Promise<void> {
    await this.callMethod('set', [key, value]);
  }

  /** Whether `key` is set. Python: `key in d`. @param key - the key @returns true when set */
  has(key: K): Promise<boolean> {
    return this.callMethod('has', [key]) as Promise<boolean>;
  }

  /** Removes `key`. Python: `del d[key]` (which raises `KeyError` when missing; this returns false). @param key - the key @returns whether it was there */
  delete(key: K): Promise<boolean> {
    return this.callMethod('delete', [key]) as Promise<boolean>;
  }

  /** The keys, in insertion order. Python: `list(d.keys())`. @returns an array */
  keys(): Promise<K[]> {
    return this.callMethod('keys') as Promise<K[]>;
  }

  /** The values, in insertion order. Python: `list(d.values())`. @returns an array */
  values(): Promise<V[]> {
    return this.callMethod('values') as Promise<V[]>;
  }

  /** The `[key, value]` pairs. Python: `list(d.items())`. @returns an array of pairs */
  items(): Promise<[K, V][]> {
    return this.callMethod('items') as Promise<[K, V][]>;
  }

  /** The number of keys. Python: `len(d)`. @returns the count */
  size(): Promise<number> {
    return this.callMethod('size') as Promise<number>;
  }

  /** Removes every key. Python: `d.clear()`. @returns when done */
  async clear(): Promise<void> {
    await this.callMethod('clear');
  }

  /** Sets every pair of `other` (a Map, an object, or `[key, value]` pairs). Python: `d.update(other)`. @param other - the pairs @returns when done */
  async update(other: Map<K, V> | Record<string, V> | [K, V][]): Promise<void> {
    await this.callMethod('update', [other]);
  }

  /**
   * Removes `key` and returns its value; without `fallback`, a missing key is a
   * {@link RemoteError} named `KeyError`. Python: `d.pop(key[, default])`.
   * @param key - the key
   * @param fallback - returned when the key is missing
   * @returns the value
   */
  pop(key: K, ...fallback: [fallback?: V]): Promise<V> {
    return this.callMethod('pop', [key, ...fallback]) as Promise<V>;
  }

  /** Removes and returns the last pair set (`KeyError` when empty). Python: `d.popitem()`. @returns the pair */
  popitem(): Promise<[K, V]> {
    return this.callMethod('popitem') as Promise<[K, V]>;
  }

  /** The value of `key`, setting it to `fallback` first when missing. Python: `d.setdefault(key, default)`. @param key - the key @param fallback - the value to set @returns the value */
  setdefault(key: K, fallback?: V): Promise<V> {
    return this.callMethod('setdefault', [key, fallback]) as Promise<V>;
  }

  /** A copy, as a `Map`. Python: `d.copy()`. @returns a Map */
  copy(): Promise<Map<K, V>> {
    return this.callMethod('copy') as Promise<Map<K, V>>;
  }

  /** A copy, as a plain object (keys as strings). @returns an object */
  toObject(): Promise<Record<string, V>> {
    return this.callMethod('toObject') as Promise<Record<string, V>>;
  }
}
