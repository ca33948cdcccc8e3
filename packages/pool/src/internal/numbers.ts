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
 *
 * A chunk of at least {@link SHARE_MIN} numbers does not even cross: the host
 * writes it into a block of @mp/core's shared arena, sends the block's place
 * (`MODE_MAP_SHARED`), and the worker writes each result over its item
 * (`RESULT_IN_PLACE`), which the host reads from the same memory. Under
 * `'process'` this spares the pipe 100 KB each way per chunk (at 64 KB a
 * pipe, several wake-ups of each side, which on a busy machine cost more than
 * the work). The host frees the block once nobody can touch it any more: the
 * answer came, or the task was dropped before it was sent, or its worker exited
 * (number-blocks.ts, the host's side).
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

/** Chunks of at least this many numbers are handed over in shared memory: below it, copying is cheaper than a block's bookkeeping. */
export const SHARE_MIN = 1_024;

/**
 * In a worker: the items of a `MODE_MAP_SHARED` chunk, `[byteOffset, length]`, as a view of its block.
 * `arena` is the shared arena's buffer, which the worker has as the buffer of its `progress` word
 * (WorkerConfig): this module, which workers load at their start, imports nothing of @mp/core.
 */
export function sharedItems(arena: SharedArrayBuffer, place: readonly [number, number]): Float64Array {
  const [byteOffset, length] = place;
  return new Float64Array(arena, byteOffset, length);
}
