import { resolveTypecode, toContents } from './internal/elements.js';
import { allocateElements, viewOver } from './internal/raw-view.js';
import type { InputOf, Typecode, TypedArrayOf } from './typecode.js';

/**
 * Allocates an array in shared memory with no lock and returns it as a plain
 * typed array: `Int32Array` for `'i'`, `Float64Array` for `'d'`,
 * `BigInt64Array` for `'l'`/`'q'`, `BigUint64Array` for `'L'`/`'Q'`, …
 * Use `Atomics` on it, or guard it with a lock of your own.
 *
 * It reaches a child by identity when passed in `args` (or inside a queue
 * item or pipe message): the child gets a typed array of the same class over
 * the same memory — a typed array cannot carry a class, so no wrapper is
 * needed or given. Its memory lives while any thread or process holds it. A `subarray()` of it
 * arrives over the same memory too, but does not keep the memory alive by
 * itself: keep the array returned here referenced while children use parts of it.
 *
 * Python: `multiprocessing.RawArray(typecode_or_type, size_or_initializer)`.
 *
 * @param typecode - `'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'` or a ctypes name (`'c_int'`, `'c_double'`, …)
 * @param sizeOrInit - a length (the array is zero-filled), or the initial elements; integers that do not fit wrap as in C
 * @returns the typed array over shared memory
 * @throws {@link TypecodeError} for an unknown typecode
 * @throws RangeError for a negative or non-integer size
 * @throws TypeError for an element of the wrong kind, naming its index
 * @example
 * ```ts
 * const hits = RawArray('i', 8);       // Int32Array<SharedArrayBuffer>
 * Atomics.add(hits, 3, 1);
 * const big = RawArray('q', [1n, 2n]); // BigInt64Array<SharedArrayBuffer>
 * ```
 */
export function RawArray<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<InputOf<C>>): TypedArrayOf<C> {
  const info = resolveTypecode(typecode);
  const { length, values } = toContents(typecode, info, sizeOrInit, 'RawArray');
  const view = viewOver(info.typecode, allocateElements(info, length), length);
  if (values) (view as Int32Array).set(values as number[]);
  return view as TypedArrayOf<C>;
}
