import { isDeepStrictEqual } from 'node:util';
import { describe } from '@mp/core/internal';

/** Python's `KeyError`, `IndexError`, `ValueError` as named errors of the manager. */
export function pyError(name: 'KeyError' | 'IndexError' | 'ValueError' | 'AttributeError', message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function toIndex(i: unknown, length: number, what: string, clamp = false): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError(`${what} indices must be integers, got ${describe(i)}`);
  const index = i < 0 ? i + length : i;
  if (clamp) return Math.min(Math.max(index, 0), length);
  if (index < 0 || index >= length) throw pyError('IndexError', `${what} index out of range: ${i} for a ${what} of length ${length}`);
  return index;
}

/** Python's ordering of `sort()`: numbers with numbers, strings with strings. */
function compare(a: unknown, b: unknown): number {
  const numeric = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(`'<' not supported between ${describe(a)} and ${describe(b)}: sort() orders numbers or strings, not a mix.`);
}


/** The manager's dict: a `Map` (keys compared as `Map` keys compare them). */
export class DictReferent {
  static readonly exposed = [
    'get', 'set', 'has', 'delete', 'keys', 'values', 'items', 'size', 'clear', 'update', 'pop', 'popitem', 'setdefault', 'copy', 'toObject',
  ] as const;
  readonly #map: Map<unknown, unknown>;

  constructor(init?: unknown) {
    this.#map = new Map();
    if (init !== undefined) this.update(init);
  }

  get(key: unknown, fallback?: unknown): unknown {
    return this.#map.has(key) ? this.#map.get(key) : fallback;
  }

  set(key: unknown, value: unknown): void {
    this.#map.set(key, value);
  }

  has(key: unknown): boolean {
    return this.#map.has(key);
  }

  delete(key: unknown): boolean {
    return this.#map.delete(key);
  }

  keys(): unknown[] {
    return [...this.#map.keys()];
  }

  values(): unknown[] {
    return [...this.#map.values()];
  }

  items(): [unknown, unknown][] {
    return [...this.#map.entries()];
  }

  size(): number {
    return this.#map.size;
  }

  clear(): void {
    this.#map.clear();
  }

  update(other: unknown): void {
    if (other instanceof Map) for (const [k, v] of other) this.#map.set(k, v);
    else if (Array.isArray(other)) {
      for (const entry of other) {
        if (!Array.isArray(entry) || entry.length !== 2) throw new TypeError(`update() takes [key, value] pairs, got ${describe(entry)}`);
        this.#map.set(entry[0], entry[1]);
      }
    } else if (typeof other === 'object' && other !== null) {
      for (const key of Object.keys(other)) this.#map.set(key, (other as Record<string, unknown>)[key]);
    } else throw new TypeError(`update() takes a Map, an object or [key, value] pairs, got ${describe(other)}`);
  }

  pop(key: unknown, ...fallback: unknown[]): unknown {
    if (this.#map.has(key)) {
      const value = this.#map.get(key);
      this.#map.delete(key);
      return value;
    }
    if (fallback.length > 0) return fallback[0];
    throw pyError('KeyError', `${describe(key)} is not a key of the dict: pass a default, pop(key, fallback), to get it instead.`);
  }

  popitem(): [unknown, unknown] {
    const last = [...this.#map.entries()].pop();
    if (!last) throw pyError('KeyError', 'popitem(): dictionary is empty');
    this.#map.delete(last[0]);
    return last;
  }

  setdefault(key: unknown, fallback?: unknown): unknown {
    if (!this.#map.has(key)) this.#map.set(key, fallback);
    return this.#map.get(key);
  }

  copy(): Map<unknown, unknown> {
    return new Map(this.#map);
  }

  toObject(): Record<string, unknown> {
    const object: Record<string, unknown> = Object.create(null);
    for (const [k, v] of this.#map) Object.defineProperty(object, String(k), { value: v, enumerable: true, writable: true, configurable: true });
    return { ...object };
  }
}

/** The manager's list: an array, indexed as Python indexes (negative counts from the end). */
export class ListReferent {
  static readonly exposed = [
    'append', 'extend', 'get', 'set', 'length', 'pop', 'insert', 'index', 'count', 'remove', 'sort', 'reverse', 'slice', 'clear', 'toArray',
  ] as const;
  readonly #items: unknown[];

  constructor(init?: unknown) {
    if (init !== undefined && !Array.isArray(init)) throw new TypeError(`Expected the list's initial items to be an array, got ${describe(init)}`);
    this.#items = init === undefined ? [] : [...(init as unknown[])];
  }

  append(item: unknown): void {
    this.#items.push(item);
  }

  extend(items: unknown): void {
    if (!Array.isArray(items)) throw new TypeError(`extend() takes an array, got ${describe(items)}`);
    for (const item of items) this.#items.push(item);
  }

  get(i: unknown): unknown {
    return this.#items[toIndex(i, this.#items.length, 'list')];
  }

  set(i: unknown, value: unknown): void {
    this.#items[toIndex(i, this.#items.length, 'list')] = value;
  }

  length(): number {
    return this.#items.length;
  }

  pop(i: unknown = -1): unknown {
    if (this.#items.length === 0) throw pyError('IndexError', 'pop from empty list');
    return this.#items.splice(toIndex(i, this.#items.length, 'list'), 1)[0];
  }

  insert(i: unknown, item: unknown): void {
    this.#items.splice(toIndex(i, this.#items.length, 'list', true), 0, item);
  }

  index(value: unknown, start: unknown = 0, end: unknown = this.#items.length): number {
    const from = toIndex(start, this.#items.length, 'list', true);
    const to = toIndex(end, this.#items.length, 'list', true);
    for (let i = from; i < to; i++) if (isDeepStrictEqual(this.#items[i], value)) return i;
    throw pyError('ValueError', `${describe(value)} is not in list`);
  }

  count(value: unknown): number {
    return this.#items.filter((item) => isDeepStrictEqual(item, value)).length;
  }

  remove(value: unknown): void {
    this.#items.splice(this.index(value), 1);
  }

  sort(options?: { reverse?: boolean }): void {
    this.#items.sort(compare);
    if (options?.reverse === true) this.#items.reverse();
  }

  reverse(): void {
    this.#items.reverse();
  }

  slice(start?: unknown, end?: unknown): unknown[] {
    const from = start === undefined ? 0 : toIndex(start, this.#items.length, 'list', true);
    const to = end === undefined ? this.#items.length : toIndex(end, this.#items.length, 'list', true);
    return this.#items.slice(from, to);
  }

  clear(): void {
    this.#items.length = 0;
  }

  toArray(): unknown[] {
    return [...this.#items];
  }
}

/** The manager's Namespace: named values, set and read one by one. */
export class NamespaceReferent {
  static readonly exposed = ['get', 'set', 'delete', 'has', 'toObject'] as const;
  readonly #values = new Map<string, unknown>();

  constructor(init?: unknown) {
    if (init === undefined) return;
    if (typeof init !== 'object' || init === null || Array.isArray(init)) throw new TypeError(`Expected Namespace's initial values to be an object, got ${describe(init)}`);
    for (const key of Object.keys(init)) this.#values.set(key, (init as Record<string, unknown>)[key]);
  }

  get(name: unknown): unknown {
    const key = checkName(name);
    if (!this.#values.has(key)) throw pyError('AttributeError', `'Namespace' object has no attribute '${key}': set it first, or ask has('${key}').`);
    return this.#values.get(key);
  }

  set(name: unknown, value: unknown): void {
    this.#values.set(checkName(name), value);
  }

  delete(name: unknown): void {
    const key = checkName(name);
    if (!this.#values.delete(key)) throw pyError('AttributeError', `'Namespace' object has no attribute '${key}'`);
  }

  has(name: unknown): boolean {
    return this.#values.has(checkName(name));
  }

  toObject(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const [k, v] of this.#values) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
    return object;
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`Expected an attribute name (a non-empty string), got ${describe(name)}`);
  return name;
}

