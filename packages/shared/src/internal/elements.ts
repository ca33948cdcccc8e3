import { describe } from '@mp/core/internal';
import { IndexError, TypecodeError } from '../errors.js';
import { TYPECODES, type Typecode, type TypecodeInfo, type TypedArrayName } from '../typecode.js';

/**
 * Typecode resolution and element conversion, shared by every class of the
 * package: one place decides what a typecode means and what a value must be.
 */

/** Any of the typed arrays a typecode can map to. */
export type AnyTypedArray =
  | Int8Array<SharedArrayBuffer> | Uint8Array<SharedArrayBuffer>
  | Int16Array<SharedArrayBuffer> | Uint16Array<SharedArrayBuffer>
  | Int32Array<SharedArrayBuffer> | Uint32Array<SharedArrayBuffer>
  | BigInt64Array<SharedArrayBuffer> | BigUint64Array<SharedArrayBuffer>
  | Float32Array<SharedArrayBuffer> | Float64Array<SharedArrayBuffer>;

/** An integer typed array as `Atomics` takes it, with its values seen as `number | bigint`. */
export type IntegerTypedArray = Exclude<AnyTypedArray, Float32Array<SharedArrayBuffer> | Float64Array<SharedArrayBuffer>>;

type TypedArrayConstructor = new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => AnyTypedArray;

const CONSTRUCTORS: Readonly<Record<TypedArrayName, TypedArrayConstructor>> = {
  Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array, Float32Array, Float64Array,
};

/** The typed-array class of a typecode. */
export function arrayClass(info: TypecodeInfo): TypedArrayConstructor {
  return CONSTRUCTORS[info.arrayType];
}

/** Typecodes Python accepts that this package does not, with the reason. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  c: 'it holds a character (c_char)',
  u: 'it holds a wide character (c_wchar)',
  '?': 'it holds a bool (c_bool)',
  g: 'it holds a long double (c_longdouble), which JavaScript has no type for',
  P: 'it holds a pointer (c_void_p)',
  z: 'it holds a pointer (c_char_p)',
  Z: 'it holds a pointer (c_wchar_p)',
  c_char: 'it holds a character',
  c_wchar: 'it holds a wide character',
  c_bool: 'it holds a bool',
  c_longdouble: 'JavaScript has no long double type',
  c_void_p: 'it holds a pointer',
  c_voidp: 'it holds a pointer',
  c_char_p: 'it holds a pointer',
  c_wchar_p: 'it holds a pointer',
};

const SHORT_CODES = "'b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd'";

/**
 * Resolves a typecode or ctypes name.
 *
 * @throws {@link TypecodeError} naming the typecode when it is unknown or unsupported
 */
export function resolveTypecode(typecode: unknown): TypecodeInfo {
  if (typeof typecode === 'string' && Object.hasOwn(TYPECODES, typecode)) return TYPECODES[typecode as Typecode];
  if (typeof typecode === 'string' && Object.hasOwn(UNSUPPORTED, typecode)) {
    throw new TypecodeError(
      `Typecode '${typecode}' is not supported: ${UNSUPPORTED[typecode]}. Use one of ${SHORT_CODES} ` +
        "or a ctypes name such as 'c_int' or 'c_double' (for a bool or a character, store an integer: 'B').",
    );
  }
  throw new TypecodeError(
    `Unknown typecode ${typeof typecode === 'string' ? `'${typecode}'` : describe(typecode)}: expected one of ` +
      `${SHORT_CODES} or a ctypes name such as 'c_int' or 'c_double'.`,
  );
}

/** `'i'`, or `'c_int'` (`'i'`) for an alias: how messages name a typecode. */
export function nameOf(typecode: string, info: TypecodeInfo): string {
  return typecode === info.typecode ? `'${typecode}'` : `'${typecode}' ('${info.typecode}')`;
}

/**
 * Checks and converts one value for storage. Out-of-range integers are left
 * for the typed array to wrap (modulo 2^bits), as ctypes wraps them; what is
 * rejected is a value of the wrong kind: a non-integer for an integer type, a
 * `bigint` for a `number` type, a string.
 *
 * @param what - how to name the value in the message (`value`, `element [3]`)
 * @throws TypeError naming the typecode
 */
export function toElement(typecode: string, info: TypecodeInfo, value: unknown, what: string): number | bigint {
  switch (info.kind) {
    case 'float':
      if (typeof value === 'number') return value;
      break;
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      break;
    case 'bigint':
      if (typeof value === 'bigint') return value;
      // An integral number is exact as a bigint; the store then wraps it to 64 bits.
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      break;
  }
  const expected =
    info.kind === 'float' ? 'a number'
    : info.kind === 'int' ? 'an integer number'
    : 'a bigint (or an integer number)';
  const remedy =
    info.kind === 'int' && typeof value === 'bigint' ? ': convert it with Number(x), or use a 64-bit typecode (\'q\')'
    : info.kind === 'int' && typeof value === 'number' ? ': round it first (Math.trunc), or use a float typecode (\'d\')'
    : info.kind === 'float' && typeof value === 'bigint' ? ': convert it with Number(x)'
    : '';
  throw new TypeError(`Expected ${what} of typecode ${nameOf(typecode, info)} (${info.ctype}) to be ${expected}, got ${describe(value)}${remedy}`);
}

/** The zero of a typecode's kind. */
export function zeroOf(info: TypecodeInfo): number | bigint {
  return info.kind === 'bigint' ? 0n : 0;
}

/**
 * Checks an array size.
 *
 * @throws RangeError naming the size and typecode
 */
export function checkSize(typecode: string, info: TypecodeInfo, size: number, kind: string): number {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(
      `Expected the size of a ${kind}(${nameOf(typecode, info)}) to be a non-negative integer, got ${describe(size)}`,
    );
  }
  return size;
}

/**
 * Turns `sizeOrInit` into a size and the initial elements (`undefined`: zero-filled).
 *
 * @throws TypeError when it is neither a number nor an iterable of values; RangeError for a bad size
 */
export function toContents(
  typecode: string,
  info: TypecodeInfo,
  sizeOrInit: unknown,
  kind: string,
): { length: number; values: (number | bigint)[] | undefined } {
  if (typeof sizeOrInit === 'number') return { length: checkSize(typecode, info, sizeOrInit, kind), values: undefined };
  const iterable = typeof sizeOrInit === 'object' && sizeOrInit !== null && typeof (sizeOrInit as Iterable<unknown>)[Symbol.iterator] === 'function';
  if (!iterable) {
    throw new TypeError(
      `Expected the size or initial values of a ${kind}(${nameOf(typecode, info)}) to be a number or an iterable of ` +
        `numbers${info.kind === 'bigint' ? ' or bigints' : ''}, got ${describe(sizeOrInit)}`,
    );
  }
  const values: (number | bigint)[] = [];
  for (const value of sizeOrInit as Iterable<unknown>) values.push(toElement(typecode, info, value, `element [${values.length}]`));
  return { length: values.length, values };
}

/**
 * Normalises an index: Python's negative indexes count from the end.
 *
 * @throws TypeError for a non-integer, {@link IndexError} for an index out of range
 */
export function toIndex(typecode: string, info: TypecodeInfo, index: unknown, length: number, kind: string): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(`Expected the index into a ${kind}(${nameOf(typecode, info)}) to be an integer, got ${describe(index)}`);
  }
  const at = index < 0 ? index + length : index;
  if (at < 0 || at >= length) {
    throw new IndexError(
      length === 0
        ? `Index ${index} is out of range for a ${kind}(${nameOf(typecode, info)}) of length 0: it has no elements`
        : `Index ${index} is out of range for a ${kind}(${nameOf(typecode, info)}) of length ${length}: use ${-length} … ${length - 1}`,
    );
  }
  return at;
}

/**
 * Checks that the atomic helpers apply: `Atomics` works on integer typed arrays only.
 *
 * @throws {@link TypecodeError} naming the float typecode
 */
export function assertInteger(typecode: string, info: TypecodeInfo, operation: string): void {
  if (info.kind === 'float') {
    throw new TypecodeError(
      `${operation}() needs an integer typecode, but ${nameOf(typecode, info)} (${info.ctype}) is a float type: ` +
        'JavaScript has no atomic float operations. Take the lock instead (getLock()).',
    );
  }
}

/** Formats a number as Python's `repr(float)` does for the common cases (`0.0`, `1e+20` → `1e+20`). */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

/** Python's repr of one element. */
export function pythonRepr(info: TypecodeInfo, value: number | bigint): string {
  return info.kind === 'float' ? pythonFloat(value as number) : String(value);
}
