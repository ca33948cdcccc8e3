/**
 * The fast path of chunks made of numbers only. A `map` over numbers is the
 * commonest map there is, and cloning an array costs per element (a tag and a
 * value each way, through `postMessage` or `v8.serialize`): a chunk of 12,500
 * numbers costs about half a millisecond to serialize and as much to parse, on
 * the pool's one host thread. Packed into one `Float64Array`, the same chunk
 * crosses as one block of memory (a copy of 100 KB).
 *
 * It is exact: a JavaScript number *is* a float64 (−0, NaN, ±Infinity,
 * integers beyond 2^31 included), so every item arrives as the number it was,
 * and the task function still gets one number per call.
 *
 * Used both ways: the host packs a chunk's items when they are all numbers
 * (`Scheduler.submit`), and a worker packs a chunk's results when they all
 * are (`RESULT_NUMBERS`). Anything else — one string, one object, an item
 * that failed — takes the general path for that chunk.
 */

/**
 * Fewer items than this are sent as an array: for a handful, the typed
 * array's own header costs more than it saves (imap's default chunks hold one item).
 */
export const PACK_MIN = 32;

/** The items as one `Float64Array` when there are at least {@link PACK_MIN} and all are numbers, else `undefined`. */
export function packNumbers(items: readonly unknown[]): Float64Array | undefined {
  const length = items.length;
  if (length < PACK_MIN) return undefined;
  for (let i = 0; i < length; i++) if (typeof items[i] !== 'number') return undefined;
  const packed = new Float64Array(length);
  for (let i = 0; i < length; i++) packed[i] = items[i] as number;
  return packed;
}

/** The first `length` values of `packed` as a packed (not holey) array. */
export function unpackNumbers(packed: Float64Array, length = packed.length): number[] {
  const values: number[] = [];
  for (let i = 0; i < length; i++) values.push(packed[i]!);
  return values;
}
