import { describe, expect, it } from 'vitest';
import { IndexError, NoLockError, RawArray, RawValue, SharedArray, TypecodeError, Value } from '@mp/shared';

/** The error `action` throws (fails the test when it throws nothing). */
function thrown(action: () => unknown): Error & { code?: string } {
  try {
    action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error, got none');
}

const make = {
  Value: (code: unknown) => new Value(code as never),
  SharedArray: (code: unknown) => new SharedArray(code as never, 1),
  RawValue: (code: unknown) => RawValue(code as never),
  RawArray: (code: unknown) => RawArray(code as never, 1),
};

describe('unknown typecodes', () => {
  it.each(Object.entries(make))('%s throws a TypecodeError naming the typecode', (_, create) => {
    expect(() => create('x')).toThrow(TypecodeError);
    expect(() => create('x')).toThrow(/Unknown typecode 'x': expected one of 'b', 'B'.*'c_int'/);
    expect(() => create('int32')).toThrow(/'int32'/);
    expect(() => create(4)).toThrow(/Unknown typecode `4` \(number\)/);
    expect(() => create(undefined)).toThrow(TypeError);
  });

  it.each(['c', 'u', '?', 'g', 'c_bool', 'c_char', 'c_wchar_p'])("explains why '%s' is not supported", (code) => {
    expect(() => new Value(code as never)).toThrow(TypecodeError);
    expect(() => new Value(code as never)).toThrow(new RegExp(`Typecode '${code.replace('?', '\\?')}' is not supported: it holds`));
  });

  it('has a stable code and name', () => {
    const error = thrown(() => new Value('x' as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('TypecodeError');
    expect(error.code).toBe('ERR_MP_TYPECODE');
  });
});

describe('bad sizes', () => {
  it.each([-1, 1.5, NaN, Infinity])('SharedArray and RawArray reject the size %s with a RangeError naming the typecode', (size) => {
    expect(() => new SharedArray('i', size)).toThrow(RangeError);
    expect(() => new SharedArray('i', size)).toThrow(/size of a SharedArray\('i'\) to be a non-negative integer, got/);
    expect(() => RawArray('c_double', size)).toThrow(/size of a RawArray\('c_double' \('d'\)\)/);
  });

  it('rejects something that is neither a size nor an iterable', () => {
    expect(() => new SharedArray('i', {} as never)).toThrow(TypeError);
    expect(() => new SharedArray('i', null as never)).toThrow(/SharedArray\('i'\) to be a number or an iterable/);
    expect(() => RawArray('q', 3n as never)).toThrow(/number or an iterable of numbers or bigints, got `3n` \(bigint\)/);
  });

  it('reports an exhausted arena as a RangeError', () => {
    expect(() => new SharedArray('d', 2 ** 40)).toThrow(RangeError);
  });
});

describe('indexes', () => {
  const array = new SharedArray('i', [10, 20, 30]);

  it('accepts Python\'s negative indexes', () => {
    expect(array.get(-1)).toBe(30);
    expect(array.get(-3)).toBe(10);
  });

  it.each([3, -4, 100])('throws an IndexError (a RangeError) naming the index %s', (index) => {
    expect(() => array.get(index)).toThrow(IndexError);
    expect(() => array.get(index)).toThrow(RangeError);
    expect(() => array.set(index, 1)).toThrow(
      `Index ${index} is out of range for a SharedArray('i') of length 3: use -3 … 2`,
    );
    expect(() => new SharedArray('i', [1, 2, 3]).add(index, 1)).toThrow(IndexError);
  });

  it('names an empty array', () => {
    expect(() => new SharedArray('d', 0).get(0)).toThrow("Index 0 is out of range for a SharedArray('d') of length 0: it has no elements");
  });

  it('rejects non-integer indexes with a TypeError', () => {
    expect(() => array.get(1.5)).toThrow(TypeError);
    expect(() => array.get('1' as never)).toThrow(/index into a SharedArray\('i'\) to be an integer, got `'1'` \(string\)/);
  });

  it('has a stable code', () => {
    const error = thrown(() => array.get(5));
    expect(error.code).toBe('ERR_MP_INDEX');
    expect(error.name).toBe('IndexError');
  });
});

describe('values of the wrong kind', () => {
  it('rejects a non-integer for an integer typecode, naming the typecode (as ctypes does)', () => {
    expect(() => new Value('i', 1.5)).toThrow(TypeError);
    expect(() => new Value('i', 1.5)).toThrow(/initial value of typecode 'i' \(c_int\) to be an integer number, got `1.5`/);
    expect(() => new SharedArray('h', [1, 2.5])).toThrow(/element \[1\] of typecode 'h' \(c_short\)/);
    const value = new Value('B');
    expect(() => (value.value = NaN)).toThrow(/typecode 'B'/);
  });

  it('rejects a bigint for a number typecode and a fraction for a bigint one', () => {
    expect(() => new Value('i', 1n as never)).toThrow(/convert it with Number\(x\)/);
    expect(() => new Value('d', 1n as never)).toThrow(/typecode 'd' \(c_double\) to be a number, got `1n` \(bigint\)/);
    expect(() => new Value('q', 0.5)).toThrow(/typecode 'q' \(c_longlong\) to be a bigint \(or an integer number\)/);
    expect(() => RawArray('c_uint64', ['1'] as never)).toThrow(/typecode 'c_uint64' \('L'\)/);
  });

  it('rejects strings everywhere', () => {
    expect(() => RawValue('d', '1' as never)).toThrow(TypeError);
    expect(() => new SharedArray('i', 'abc' as never)).toThrow(TypeError);
  });
});

describe('locks', () => {
  it('getLock() throws NoLockError when created with { lock: false }', () => {
    expect(() => new Value('i', 0, { lock: false }).getLock()).toThrow(NoLockError);
    expect(() => new SharedArray('d', 2, { lock: false }).getLock()).toThrow(
      /This SharedArray\('d'\) was created with \{ lock: false \} and has no lock/,
    );
    const error = thrown(() => new Value('i', 0, { lock: false }).getLock());
    expect(error.code).toBe('ERR_MP_NO_LOCK');
    expect(error.name).toBe('NoLockError');
  });

  it('rejects a lock option that is not a lock', () => {
    expect(() => new Value('i', 0, { lock: 'yes' as never })).toThrow(TypeError);
    expect(() => new SharedArray('i', 1, { lock: {} as never })).toThrow(
      /`lock` option of SharedArray\('i'\) to be true, false, or a Lock or RLock from @mp\/sync, got `\{\}` \(object\)/,
    );
  });
});

describe('atomic helpers on float typecodes', () => {
  it('throw a TypecodeError naming the typecode', () => {
    const value = new Value('d', 1) as unknown as Value<'i'>;
    expect(() => value.add(1)).toThrow(TypecodeError);
    expect(() => value.add(1)).toThrow(/add\(\) needs an integer typecode, but 'd' \(c_double\) is a float type/);
    const array = new SharedArray('c_float', 2) as unknown as SharedArray<'i'>;
    expect(() => array.compareExchange(0, 0, 1)).toThrow(/compareExchange\(\) needs an integer typecode, but 'c_float' \('f'\)/);
  });
});
