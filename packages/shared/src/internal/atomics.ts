import type { TypecodeInfo } from '../typecode.js';
import { assertInteger, toElement, type AnyTypedArray } from './elements.js';

/**
 * The lock-free helpers behind `add`, `compareExchange`, … of every class:
 * checks the typecode and the operand, then one `Atomics` call.
 *
 * `Atomics` operations are sequentially consistent: each is indivisible, and
 * every thread sees all of them in one total order. A plain read or write
 * (`v.value` without a lock) has no such guarantee against a concurrent
 * atomic write — which is why the README says to pick one discipline per
 * value: the lock, or the atomics, not a mix.
 */

/** The operations with one operand that return the previous value. */
export type AtomicOperation = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'exchange';

// `Atomics` is typed per array kind (number vs bigint operands); the operand was
// converted to the array's kind by toElement, so one cast serves all of them.
type Loose = Int32Array<SharedArrayBuffer>;

/** `Atomics[operation](view, index, operand)`: returns the value before. */
export function atomicUpdate(
  operation: AtomicOperation,
  typecode: string,
  info: TypecodeInfo,
  view: AnyTypedArray,
  index: number,
  operand: unknown,
): number | bigint {
  // Fast path, the common case: a 32-bit-or-narrower integer code and an integer operand.
  const value = info.kind === 'int' && Number.isInteger(operand) ? (operand as number) : checked(operation, typecode, info, operand);
  const v = view as Loose;
  // One direct call per operation (not `Atomics[operation]`), so each call site stays monomorphic.
  switch (operation) {
    case 'add':
      return Atomics.add(v, index, value);
    case 'sub':
      return Atomics.sub(v, index, value);
    case 'and':
      return Atomics.and(v, index, value);
    case 'or':
      return Atomics.or(v, index, value);
    case 'xor':
      return Atomics.xor(v, index, value);
    case 'exchange':
      return Atomics.exchange(v, index, value);
  }
}

function checked(operation: AtomicOperation, typecode: string, info: TypecodeInfo, operand: unknown): number {
  assertInteger(typecode, info, operation);
  return toElement(typecode, info, operand, `the operand of ${operation}()`) as number;
}

/** `Atomics.compareExchange`: stores `replacement` if the element equals `expected` (both wrapped to the type first). */
export function atomicCompareExchange(
  typecode: string,
  info: TypecodeInfo,
  view: AnyTypedArray,
  index: number,
  expected: unknown,
  replacement: unknown,
): number | bigint {
  assertInteger(typecode, info, 'compareExchange');
  const e = toElement(typecode, info, expected, 'the expected value of compareExchange()') as number;
  const r = toElement(typecode, info, replacement, 'the replacement of compareExchange()') as number;
  return Atomics.compareExchange(view as Loose, index, e, r);
}

/** `Atomics.load`. */
export function atomicLoad(typecode: string, info: TypecodeInfo, view: AnyTypedArray, index: number): number | bigint {
  assertInteger(typecode, info, 'load');
  return Atomics.load(view as Loose, index);
}

/** `Atomics.store`. */
export function atomicStore(typecode: string, info: TypecodeInfo, view: AnyTypedArray, index: number, value: unknown): void {
  assertInteger(typecode, info, 'store');
  Atomics.store(view as Loose, index, toElement(typecode, info, value, 'the value of store()') as number);
}
