import { describe } from '@mp/core/internal';

/**
 * The bytes `sendBytes(buf, offset, size)` sends, checked as Python checks
 * them: `offset` and `size` count bytes of the view, whatever its element size.
 *
 * @throws TypeError when `buf` is not an ArrayBufferView, or `offset`/`size` are not integers
 * @throws RangeError when `offset`/`size` are negative or reach past the view
 */
export function byteRange(buf: ArrayBufferView, offset: number | undefined, size: number | undefined): Uint8Array {
  if (!ArrayBuffer.isView(buf)) throw new TypeError(`Expected \`buf\` to be an ArrayBufferView (Uint8Array, Buffer…), got ${describe(buf)}`);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = bytes.byteLength;
  const start = offset === undefined ? 0 : toInteger(offset, 'offset');
  if (start < 0) throw new RangeError(`offset is negative: expected \`offset\` between 0 and ${n}, got ${describe(offset)}`);
  if (n < start) throw new RangeError(`buffer length < offset: the view has ${n} bytes, \`offset\` is ${start}`);
  const length = size === undefined ? n - start : toInteger(size, 'size');
  if (length < 0) throw new RangeError(`size is negative: expected \`size\` between 0 and ${n - start}, got ${describe(size)}`);
  if (start + length > n) {
    throw new RangeError(`buffer length < offset + size: the view has ${n} bytes, \`offset\` + \`size\` is ${start + length}`);
  }
  return bytes.subarray(start, start + length);
}

/** `value` as an integer number of bytes, or a TypeError naming `name`. */
export function toInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`Expected \`${name}\` to be an integer number of bytes, got ${describe(value)}`);
  }
  return value;
}
