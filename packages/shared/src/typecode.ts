/**
 * Typecodes: which C type a shared value or array holds, and the TypeScript
 * types that follow from it.
 *
 * @module
 */

/**
 * The one-letter typecodes of Python's `array` module, as
 * `multiprocessing.Value` / `Array` accept them.
 *
 * Python: the keys of `multiprocessing.sharedctypes.typecode_to_type`
 * (without `'c'` and `'u'`, which hold characters).
 */
export type ShortTypecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';

/**
 * The `ctypes` type names accepted in place of a one-letter typecode, with the
 * sizes CPython gives them on 64-bit Linux (`c_long` is 8 bytes).
 *
 * Python: `ctypes.c_int`, `ctypes.c_double`, … passed to `Value(ctypes.c_int, 0)`.
 */
export type CtypesName =
  | 'c_byte' | 'c_ubyte' | 'c_short' | 'c_ushort' | 'c_int' | 'c_uint'
  | 'c_long' | 'c_ulong' | 'c_longlong' | 'c_ulonglong' | 'c_float' | 'c_double'
  | 'c_int8' | 'c_uint8' | 'c_int16' | 'c_uint16' | 'c_int32' | 'c_uint32'
  | 'c_int64' | 'c_uint64' | 'c_size_t' | 'c_ssize_t';

/**
 * Every typecode {@link Value}, {@link SharedArray}, {@link RawValue} and
 * {@link RawArray} accept: a one-letter code or a ctypes name.
 *
 * Python: the `typecode_or_type` argument.
 */
export type Typecode = ShortTypecode | CtypesName;

/** The 64-bit integer typecodes, whose values are `bigint`. */
export type BigIntTypecode =
  | 'l' | 'L' | 'q' | 'Q'
  | 'c_long' | 'c_ulong' | 'c_longlong' | 'c_ulonglong' | 'c_int64' | 'c_uint64' | 'c_size_t' | 'c_ssize_t';

/** The floating-point typecodes. */
export type FloatTypecode = 'f' | 'd' | 'c_float' | 'c_double';

/** The integer typecodes: the ones the lock-free atomic helpers accept. */
export type IntegerTypecode = Exclude<Typecode, FloatTypecode>;

/**
 * What reading a value of typecode `C` gives: `bigint` for the 64-bit integer
 * codes, `number` for the others.
 *
 * @example
 * ```ts
 * const a: ValueOf<'i'> = 1;
 * const b: ValueOf<'q'> = 1n;
 * ```
 */
export type ValueOf<C extends Typecode> = C extends BigIntTypecode ? bigint : number;

/**
 * What writing a value of typecode `C` accepts: {@link ValueOf} `C`, and for
 * the 64-bit integer codes also an integral `number` (converted with `BigInt`).
 */
export type InputOf<C extends Typecode> = C extends BigIntTypecode ? bigint | number : number;

/** The typed array over shared memory for each typecode (see {@link TypedArrayOf}). */
export interface TypedArrayByTypecode {
  b: Int8Array<SharedArrayBuffer>;
  B: Uint8Array<SharedArrayBuffer>;
  h: Int16Array<SharedArrayBuffer>;
  H: Uint16Array<SharedArrayBuffer>;
  i: Int32Array<SharedArrayBuffer>;
  I: Uint32Array<SharedArrayBuffer>;
  l: BigInt64Array<SharedArrayBuffer>;
  L: BigUint64Array<SharedArrayBuffer>;
  q: BigInt64Array<SharedArrayBuffer>;
  Q: BigUint64Array<SharedArrayBuffer>;
  f: Float32Array<SharedArrayBuffer>;
  d: Float64Array<SharedArrayBuffer>;
  c_byte: Int8Array<SharedArrayBuffer>;
  c_ubyte: Uint8Array<SharedArrayBuffer>;
  c_short: Int16Array<SharedArrayBuffer>;
  c_ushort: Uint16Array<SharedArrayBuffer>;
  c_int: Int32Array<SharedArrayBuffer>;
  c_uint: Uint32Array<SharedArrayBuffer>;
  c_long: BigInt64Array<SharedArrayBuffer>;
  c_ulong: BigUint64Array<SharedArrayBuffer>;
  c_longlong: BigInt64Array<SharedArrayBuffer>;
  c_ulonglong: BigUint64Array<SharedArrayBuffer>;
  c_float: Float32Array<SharedArrayBuffer>;
  c_double: Float64Array<SharedArrayBuffer>;
  c_int8: Int8Array<SharedArrayBuffer>;
  c_uint8: Uint8Array<SharedArrayBuffer>;
  c_int16: Int16Array<SharedArrayBuffer>;
  c_uint16: Uint16Array<SharedArrayBuffer>;
  c_int32: Int32Array<SharedArrayBuffer>;
  c_uint32: Uint32Array<SharedArrayBuffer>;
  c_int64: BigInt64Array<SharedArrayBuffer>;
  c_uint64: BigUint64Array<SharedArrayBuffer>;
  c_size_t: BigUint64Array<SharedArrayBuffer>;
  c_ssize_t: BigInt64Array<SharedArrayBuffer>;
}

/**
 * The typed array {@link RawArray} returns and {@link SharedArray.raw} is,
 * for typecode `C`: `Int32Array` for `'i'`, `BigInt64Array` for `'q'`, …
 *
 * @example
 * ```ts
 * const view: TypedArrayOf<'d'> = RawArray('d', 4); // Float64Array<SharedArrayBuffer>
 * ```
 */
export type TypedArrayOf<C extends Typecode> = TypedArrayByTypecode[C];

/** The name of a typed-array class, as {@link TypecodeInfo.arrayType} gives it. */
export type TypedArrayName =
  | 'Int8Array' | 'Uint8Array' | 'Int16Array' | 'Uint16Array' | 'Int32Array' | 'Uint32Array'
  | 'BigInt64Array' | 'BigUint64Array' | 'Float32Array' | 'Float64Array';

/** What a typecode stands for (an entry of {@link TYPECODES}). */
export interface TypecodeInfo {
  /** The one-letter typecode this name resolves to. */
  readonly typecode: ShortTypecode;
  /** The ctypes type, as in `multiprocessing.sharedctypes.typecode_to_type`. */
  readonly ctype: string;
  /** Bytes per element (`ctypes.sizeof`). */
  readonly bytes: 1 | 2 | 4 | 8;
  /** `'int'` (a `number`), `'bigint'` (64-bit, a `bigint`) or `'float'`. */
  readonly kind: 'int' | 'bigint' | 'float';
  /** Whether the type is signed. */
  readonly signed: boolean;
  /** The typed array that views it. */
  readonly arrayType: TypedArrayName;
}

function info(
  typecode: ShortTypecode,
  ctype: string,
  bytes: TypecodeInfo['bytes'],
  kind: TypecodeInfo['kind'],
  signed: boolean,
  arrayType: TypedArrayName,
): TypecodeInfo {
  return Object.freeze({ typecode, ctype, bytes, kind, signed, arrayType });
}

const b = info('b', 'c_byte', 1, 'int', true, 'Int8Array');
const B = info('B', 'c_ubyte', 1, 'int', false, 'Uint8Array');
const h = info('h', 'c_short', 2, 'int', true, 'Int16Array');
const H = info('H', 'c_ushort', 2, 'int', false, 'Uint16Array');
const i = info('i', 'c_int', 4, 'int', true, 'Int32Array');
const I = info('I', 'c_uint', 4, 'int', false, 'Uint32Array');
const l = info('l', 'c_long', 8, 'bigint', true, 'BigInt64Array');
const L = info('L', 'c_ulong', 8, 'bigint', false, 'BigUint64Array');
const q = info('q', 'c_longlong', 8, 'bigint', true, 'BigInt64Array');
const Q = info('Q', 'c_ulonglong', 8, 'bigint', false, 'BigUint64Array');
const f = info('f', 'c_float', 4, 'float', true, 'Float32Array');
const d = info('d', 'c_double', 8, 'float', true, 'Float64Array');

/**
 * Every accepted typecode and ctypes name, and what it stands for. The
 * ctypes names resolve as CPython resolves them on 64-bit Linux
 * (`c_int64` → `'l'`, `c_size_t` → `'L'`).
 *
 * Python: `multiprocessing.sharedctypes.typecode_to_type`, `ctypes.sizeof`.
 *
 * @example
 * ```ts
 * TYPECODES.c_int.bytes;      // 4
 * TYPECODES.q.arrayType;      // 'BigInt64Array'
 * ```
 */
export const TYPECODES: Readonly<Record<Typecode, TypecodeInfo>> = Object.freeze({
  b, B, h, H, i, I, l, L, q, Q, f, d,
  c_byte: b, c_ubyte: B, c_short: h, c_ushort: H, c_int: i, c_uint: I,
  c_long: l, c_ulong: L, c_longlong: q, c_ulonglong: Q, c_float: f, c_double: d,
  c_int8: b, c_uint8: B, c_int16: h, c_uint16: H, c_int32: i, c_uint32: I,
  c_int64: l, c_uint64: L, c_size_t: L, c_ssize_t: l,
});
