/**
 * Views over the whole shared-memory arena of this isolate. Every region a
 * queue or pipe uses (control words, segments, out-of-line items) lies in the
 * one arena `SharedArrayBuffer`, so records can point at each other with
 * absolute byte offsets, and one set of views serves all of them.
 */
export interface ArenaViews {
  readonly buffer: SharedArrayBuffer;
  /** Word view: index = byte offset / 4. */
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  /** The same bytes as a Buffer, for its fast UTF-8 and float codecs. */
  readonly buf: Buffer;
}

let cached: ArenaViews | undefined;

/** The views over `buffer` (the arena of any region of this isolate). */
export function viewsOf(buffer: SharedArrayBuffer): ArenaViews {
  if (cached?.buffer !== buffer) {
    cached = {
      buffer,
      i32: new Int32Array(buffer),
      u8: new Uint8Array(buffer),
      buf: Buffer.from(buffer),
    };
  }
  return cached;
}
