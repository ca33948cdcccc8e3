import { describe, expectTypeOf, it } from 'vitest';
import {
  RawArray,
  RawValue,
  SharedArray,
  Value,
  type InputOf,
  type Typecode,
  type TypedArrayOf,
  type ValueOf,
} from '@mp/shared';

describe('the type of .value follows the typecode', () => {
  it('is number for 8-, 16-, 32-bit and float codes', () => {
    expectTypeOf(new Value('b').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('B').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('h').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('H').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('i').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('I').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('f').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('d', 0).value).toEqualTypeOf<number>();
    expectTypeOf(new Value('c_int').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('c_double').value).toEqualTypeOf<number>();
    expectTypeOf(new Value('c_uint8').value).toEqualTypeOf<number>();
  });

  it('is bigint for 64-bit codes', () => {
    expectTypeOf(new Value('l').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('L').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('q').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('Q').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('c_long').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('c_ulonglong').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('c_int64').value).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('c_size_t').value).toEqualTypeOf<bigint>();
  });

  it('is number | bigint when the typecode is not known', () => {
    expectTypeOf<ValueOf<Typecode>>().toEqualTypeOf<number | bigint>();
    const code = 'i' as Typecode;
    expectTypeOf(new Value(code).value).toEqualTypeOf<number | bigint>();
  });

  it('is the same for RawValue and array elements', () => {
    expectTypeOf(RawValue('d').value).toEqualTypeOf<number>();
    expectTypeOf(RawValue('Q').value).toEqualTypeOf<bigint>();
    expectTypeOf(new SharedArray('i', 3).get(0)).toEqualTypeOf<number>();
    expectTypeOf(new SharedArray('q', 3).get(0)).toEqualTypeOf<bigint>();
    expectTypeOf(new SharedArray('i', 3).slice()).toEqualTypeOf<number[]>();
    expectTypeOf(new SharedArray('L', 3).slice()).toEqualTypeOf<bigint[]>();
    expectTypeOf([...new SharedArray('Q', 3)]).toEqualTypeOf<bigint[]>();
    expectTypeOf([...new SharedArray('f', 3)]).toEqualTypeOf<number[]>();
  });
});

describe('what a write accepts', () => {
  it('takes numbers for number codes, bigints or integer numbers for 64-bit codes', () => {
    expectTypeOf<InputOf<'i'>>().toEqualTypeOf<number>();
    expectTypeOf<InputOf<'q'>>().toEqualTypeOf<number | bigint>();
    const int = new Value('i', 1);
    int.value = 2;
    // @ts-expect-error a bigint does not go into a 32-bit value
    int.value = 2n;
    const double = new Value('d', 0.5);
    // @ts-expect-error nor into a double
    double.value = 1n;
    const long = new Value('q', 0);
    long.value = 1n;
    long.value = 1;
    // @ts-expect-error a string never
    long.value = '1';
    // @ts-expect-error initial values follow the typecode too
    new Value('i', 1n);
    // @ts-expect-error and so do array elements
    new SharedArray('h', [1n]);
    new SharedArray('Q', [1n, 2]);
    // @ts-expect-error unknown typecodes are rejected at compile time
    new Value('x');
  });
});

describe('RawArray and .raw are typed arrays over shared memory', () => {
  it('maps each typecode to its typed array', () => {
    expectTypeOf(RawArray('b', 1)).toEqualTypeOf<Int8Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('B', 1)).toEqualTypeOf<Uint8Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('h', 1)).toEqualTypeOf<Int16Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('H', 1)).toEqualTypeOf<Uint16Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('i', 1)).toEqualTypeOf<Int32Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('I', 1)).toEqualTypeOf<Uint32Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('l', 1)).toEqualTypeOf<BigInt64Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('L', 1)).toEqualTypeOf<BigUint64Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('q', 1)).toEqualTypeOf<BigInt64Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('Q', 1)).toEqualTypeOf<BigUint64Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('f', 1)).toEqualTypeOf<Float32Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('d', 1)).toEqualTypeOf<Float64Array<SharedArrayBuffer>>();
    expectTypeOf(RawArray('c_ssize_t', 1)).toEqualTypeOf<BigInt64Array<SharedArrayBuffer>>();
    expectTypeOf(new SharedArray('c_double', 1).raw).toEqualTypeOf<Float64Array<SharedArrayBuffer>>();
    expectTypeOf<TypedArrayOf<'c_uint16'>>().toEqualTypeOf<Uint16Array<SharedArrayBuffer>>();
  });
});

describe('atomic helpers exist for integer typecodes only', () => {
  it('return the element type', () => {
    expectTypeOf(new Value('i').add(1)).toEqualTypeOf<number>();
    expectTypeOf(new Value('Q').add(1n)).toEqualTypeOf<bigint>();
    expectTypeOf(new Value('c_long').compareExchange(0n, 1)).toEqualTypeOf<bigint>();
    expectTypeOf(new SharedArray('B', 2).exchange(0, 1)).toEqualTypeOf<number>();
    expectTypeOf(new SharedArray('q', 2).load(0)).toEqualTypeOf<bigint>();
    expectTypeOf(RawValue('h').sub(1)).toEqualTypeOf<number>();
    expectTypeOf(new Value('i').store(1)).toEqualTypeOf<void>();
  });

  it('are not callable on float typecodes', () => {
    // @ts-expect-error no atomic add on a double
    new Value('d').add(1);
    // @ts-expect-error nor on a float array
    new SharedArray('f', 2).compareExchange(0, 0, 1);
    // @ts-expect-error nor on a raw double
    RawValue('c_double').load();
    // @ts-expect-error operands follow the typecode
    new Value('i').add(1n);
  });
});

describe('getLock', () => {
  it('exists on Value and SharedArray, not on RawValue', () => {
    expectTypeOf(new Value('i')).toHaveProperty('getLock');
    expectTypeOf(new SharedArray('i', 1)).toHaveProperty('getLock');
    expectTypeOf(RawValue('i')).not.toHaveProperty('getLock');
  });
});
