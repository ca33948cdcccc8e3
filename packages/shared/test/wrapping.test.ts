import { describe, expect, it } from 'vitest';
import { RawArray, RawValue, SharedArray, Value, type Typecode } from '@mp/shared';

// [typecode, stored, what CPython's Value(typecode, stored).value gives] — ctypes wraps modulo 2^bits.
const CPYTHON: [Typecode, number | bigint, number | bigint][] = [
  ['b', 200, -56],
  ['b', -129, 127],
  ['B', -1, 255],
  ['B', 256, 0],
  ['h', 40000, -25536],
  ['H', -1, 65535],
  ['i', 2 ** 31, -(2 ** 31)],
  ['i', 2 ** 32 + 5, 5],
  ['I', -1, 4294967295],
  ['l', 2n ** 63n, -(2n ** 63n)],
  ['L', -1n, 2n ** 64n - 1n],
  ['q', 2n ** 64n + 3n, 3n],
  ['Q', -2n, 2n ** 64n - 2n],
  ['f', 1e40, Infinity],
  ['f', 0.1, 0.10000000149011612],
  ['d', 1e308 * 10, Infinity],
  ['c_int', 2 ** 32 + 5, 5],
  ['c_ulonglong', -1, 2n ** 64n - 1n],
];

describe('values that do not fit wrap, as in CPython', () => {
  it.each(CPYTHON)("'%s' stores %s as %s", (code, stored, expected) => {
    expect(new Value(code, stored as never).value).toBe(expected);
    expect(new Value(code, stored as never, { lock: false }).value).toBe(expected);
    expect(RawValue(code, stored as never).value).toBe(expected);
    expect(new SharedArray(code, [stored] as never).get(0)).toBe(expected);
    expect(RawArray(code, [stored] as never)[0]).toBe(expected);

    const value = new Value(code);
    value.value = stored as never;
    expect(value.value).toBe(expected);
    const array = new SharedArray(code, 1);
    array.set(0, stored as never);
    expect(array.get(0)).toBe(expected);
  });

  it('wraps exactly as a typed array of the same type does', () => {
    const samples = [0, 1, -1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53)];
    for (const code of ['b', 'B', 'h', 'H', 'i', 'I'] as const) {
      const reference = RawArray(code, samples.length);
      reference.set(samples);
      expect(new SharedArray(code, samples).slice()).toEqual(Array.from(reference));
    }
  });

  it('wraps in the atomic helpers too', () => {
    const byte = new Value('b', 127);
    expect(byte.add(1)).toBe(127);
    expect(byte.value).toBe(-128);
    const word = new Value('Q', 0n);
    expect(word.sub(1n)).toBe(0n);
    expect(word.load()).toBe(2n ** 64n - 1n);
  });

  it('keeps floats as floats', () => {
    expect(new Value('d', 0.1).value).toBe(0.1);
    expect(new Value('d', NaN).value).toBeNaN();
    expect(new Value('f', -0).value).toBe(-0);
    expect(new SharedArray('d', [1.5, -2.25]).slice()).toEqual([1.5, -2.25]);
  });
});
