import { describe } from '@mp/core/internal';
import { pyError } from './collections.js';

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** Python's `array` typecodes (as @mp/shared takes them): 'l', 'L', 'q', 'Q' are 64-bit and hold bigints. */
const TYPECODES: Readonly<Record<string, new (length: number) => Typed>> = {
  b: Int8Array, B: Uint8Array, h: Int16Array, H: Uint16Array, i: Int32Array, I: Uint32Array,
  l: BigInt64Array, L: BigUint64Array, q: BigInt64Array, Q: BigUint64Array, f: Float32Array, d: Float64Array,
};

/** Checks a typecode. */
export function checkTypecode(typecode: unknown): string {
  if (typeof typecode !== 'string' || !Object.hasOwn(TYPECODES, typecode)) {
    throw new TypeError(`bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d): got ${describe(typecode)}`);
  }
  return typecode;
}

/**
 * The manager's Value: one value and its typecode. As in CPython, the
 * manager's Value does not check the value against the typecode.
 */
export class ValueReferent {
  static readonly exposed = ['get', 'set', 'typecode'] as const;
  readonly #typecode: string;
  #value: unknown;

  constructor(typecode: unknown, value: unknown) {
    if (typeof typecode !== 'string') throw new TypeError(`Expected \`typecode\` to be a string such as 'i' or 'd', got ${describe(typecode)}`);
    this.#typecode = typecode;
    this.#value = value;
  }

  get(): unknown {
    return this.#value;
  }

  set(value: unknown): void {
    this.#value = value;
  }

  typecode(): string {
    return this.#typecode;
  }
}

/** The manager's Array: Python's `array.array(typecode, seq)`, values checked against the typecode. */
export class ArrayReferent {
  static readonly exposed = ['get', 'set', 'length', 'slice', 'toArray', 'typecode'] as const;
  readonly #typecode: string;
  readonly #items: Typed;

  constructor(typecode: unknown, init: unknown) {
    this.#typecode = checkTypecode(typecode);
    const Kind = TYPECODES[this.#typecode]!;
    const values = typeof init === 'number' ? new Array<number>(init).fill(0) : init;
    if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
      throw new TypeError(`Expected the array's initial values (an array) or its length (a number), got ${describe(init)}`);
    }
    const list = [...(values as ArrayLike<unknown> & Iterable<unknown>)];
    this.#items = new Kind(list.length);
    list.forEach((value, i) => this.#store(i, value));
  }

  #store(i: number, value: unknown): void {
    const big = this.#items instanceof BigInt64Array || this.#items instanceof BigUint64Array;
    const fromNumber = big && typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
    if (big ? typeof fromNumber !== 'bigint' : typeof value !== 'number') {
      throw new TypeError(`typecode '${this.#typecode}' holds ${big ? 'bigints' : 'numbers'}, got ${describe(value)}`);
    }
    (this.#items as unknown as unknown[])[i] = fromNumber;
    const stored = (this.#items as unknown as unknown[])[i];
    const floating = this.#typecode === 'f' || this.#typecode === 'd';
    if (!floating && stored !== fromNumber) {
      throw new RangeError(`${describe(value)} does not fit typecode '${this.#typecode}' (it would wrap): use a wider typecode.`);
    }
  }

  #index(i: unknown): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError(`array indices must be integers, got ${describe(i)}`);
    const index = i < 0 ? i + this.#items.length : i;
    if (index < 0 || index >= this.#items.length) throw pyError('IndexError', `array index out of range: ${i} for an array of length ${this.#items.length}`);
    return index;
  }

  get(i: unknown): number | bigint {
    return this.#items[this.#index(i)]!;
  }

  set(i: unknown, value: unknown): void {
    const index = this.#index(i);
    const before = this.#items[index]!;
    try {
      this.#store(index, value);
    } catch (error) {
      (this.#items as unknown as unknown[])[index] = before;
      throw error;
    }
  }

  length(): number {
    return this.#items.length;
  }

  slice(start?: number, end?: number): (number | bigint)[] {
    return [...this.#items.slice(start, end)];
  }

  toArray(): (number | bigint)[] {
    return [...this.#items];
  }

  typecode(): string {
    return this.#typecode;
  }
}
