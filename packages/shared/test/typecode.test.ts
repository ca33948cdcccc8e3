import { describe, expect, it } from 'vitest';
import { RawArray, SharedArray, TYPECODES, Value, type Typecode } from '@mp/shared';

// What CPython 3.11–3.13 says on 64-bit Linux:
//   typecode_to_type[code].__name__, ctypes.sizeof(...), and for ctypes names getattr(ctypes, name)._type_.
const SHORT: [Typecode, string, number, string][] = [
  ['b', 'c_byte', 1, 'Int8Array'],
  ['B', 'c_ubyte', 1, 'Uint8Array'],
  ['h', 'c_short', 2, 'Int16Array'],
  ['H', 'c_ushort', 2, 'Uint16Array'],
  ['i', 'c_int', 4, 'Int32Array'],
  ['I', 'c_uint', 4, 'Uint32Array'],
  ['l', 'c_long', 8, 'BigInt64Array'],
  ['L', 'c_ulong', 8, 'BigUint64Array'],
  ['q', 'c_longlong', 8, 'BigInt64Array'],
  ['Q', 'c_ulonglong', 8, 'BigUint64Array'],
  ['f', 'c_float', 4, 'Float32Array'],
  ['d', 'c_double', 8, 'Float64Array'],
];

const ALIASES: [Typecode, Typecode][] = [
  ['c_byte', 'b'], ['c_ubyte', 'B'], ['c_short', 'h'], ['c_ushort', 'H'], ['c_int', 'i'], ['c_uint', 'I'],
  ['c_long', 'l'], ['c_ulong', 'L'], ['c_longlong', 'q'], ['c_ulonglong', 'Q'], ['c_float', 'f'], ['c_double', 'd'],
  ['c_int8', 'b'], ['c_uint8', 'B'], ['c_int16', 'h'], ['c_uint16', 'H'], ['c_int32', 'i'], ['c_uint32', 'I'],
  ['c_int64', 'l'], ['c_uint64', 'L'], ['c_size_t', 'L'], ['c_ssize_t', 'l'],
];

describe('typecode table', () => {
  it.each(SHORT)("'%s' is %s, %i bytes, a %s", (code, ctype, bytes, arrayType) => {
    expect(TYPECODES[code]).toMatchObject({ typecode: code, ctype, bytes, arrayType });
    const raw = RawArray(code, 3);
    expect(raw.constructor.name).toBe(arrayType);
    expect(raw.BYTES_PER_ELEMENT).toBe(bytes);
    expect(raw.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new SharedArray(code, 2).raw.constructor.name).toBe(arrayType);
  });

  it.each(ALIASES)('%s resolves to %s', (alias, code) => {
    expect(TYPECODES[alias]).toBe(TYPECODES[code]);
    expect(RawArray(alias, 1).constructor.name).toBe(TYPECODES[code].arrayType);
    expect(new Value(alias).typecode).toBe(alias);
  });

  it('lists exactly the twelve codes and their aliases', () => {
    expect(Object.keys(TYPECODES).sort()).toEqual([...SHORT.map(([c]) => c), ...ALIASES.map(([a]) => a)].sort());
  });

  it('gives 64-bit codes bigint values and the others numbers', () => {
    for (const [code] of SHORT) {
      const expected = ['l', 'L', 'q', 'Q'].includes(code) ? 'bigint' : 'number';
      expect(typeof new Value(code).value).toBe(expected);
      expect(typeof new SharedArray(code, 1).get(0)).toBe(expected);
      expect(typeof RawArray(code, 1)[0]).toBe(expected);
    }
  });

  it('zero-fills arrays given a size, and copies any iterable', () => {
    expect(new SharedArray('i', 4).slice()).toEqual([0, 0, 0, 0]);
    expect(new SharedArray('q', 2).slice()).toEqual([0n, 0n]);
    expect([...RawArray('d', 3)]).toEqual([0, 0, 0]);
    expect(new SharedArray('h', new Set([3, 1, 2])).slice()).toEqual([3, 1, 2]);
    expect(new SharedArray('Q', [1, 2n]).slice()).toEqual([1n, 2n]);
    expect(Array.from(RawArray('B', Uint8Array.of(9, 8)))).toEqual([9, 8]);
    expect(new SharedArray('i', 0).length).toBe(0);
    expect(RawArray('i', 0)).toHaveLength(0);
  });
});
