import { serialize } from 'node:v8';

/**
 * The `v8.serialize` form of single scalars — numbers, Latin-1 strings,
 * booleans, null, undefined — written and read without `v8.serialize` and
 * `v8.deserialize`, which cost 2–3 µs each per call (a serializer object per
 * message), as much as the rest of a socket round trip.
 *
 * The bytes are the wire format every socket peer already expects: a v8
 * header (`0xFF`, this V8's format version), then one tag and its value, as
 * V8's `ValueSerializer` writes them (`I` + zigzag varint for small integers,
 * `N` + little-endian double, `"` + varint length + Latin-1 bytes, `T`, `F`,
 * `0`, `_`). A peer without this fast path decodes them with
 * `v8.deserialize`; this side's {@link decodeScalar} reads only frames that are
 * exactly one such value (anything else — objects, arrays, other versions,
 * trailing bytes — is left to `v8.deserialize`). Nothing here can produce more
 * than a primitive.
 */

/** `0xFF` and the version varint of this V8's serializer (the bytes `v8.serialize` starts with). */
const HEADER = serialize(null).subarray(0, -1);
const TAG_INT32 = 0x49; // 'I'
const TAG_DOUBLE = 0x4e; // 'N'
const TAG_ONE_BYTE_STRING = 0x22; // '"'
const TAG_TRUE = 0x54; // 'T'
const TAG_FALSE = 0x46; // 'F'
const TAG_NULL = 0x30; // '0'
const TAG_UNDEFINED = 0x5f; // '_'
/** Integers in this range are small integers (Smis) in every V8 build: V8 writes them as `I`. */
const SMALL_INT_MIN = -(2 ** 30);
const SMALL_INT_MAX = 2 ** 30 - 1;
/** Longer strings go through `v8.serialize`, whose cost is then small beside the copy. */
const MAX_STRING_LENGTH = 4096;
// eslint-disable-next-line no-control-regex
const LATIN1 = /^[\u0000-\u00ff]*$/;
/** Bytes of the frame header that the caller writes in front (the 4-byte big-endian length). */
const FRAME_HEADER_BYTES = 4;

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(frame: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    frame[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  frame[at++] = value;
  return at;
}

/** A frame (4-byte length, then the payload) of `size` payload bytes, its header and v8 header written; returns it and where the value starts. */
function frameOf(size: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + HEADER.byteLength + size);
  frame.writeInt32BE(HEADER.byteLength + size, 0);
  HEADER.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The whole frame (length header included) carrying `value` in its
 * `v8.serialize` form, or undefined when `value` is not a scalar this
 * writes (the caller then uses `v8.serialize`).
 */
export function encodeScalarFrame(value: unknown): Buffer | undefined {
  const start = FRAME_HEADER_BYTES + HEADER.byteLength;
  switch (typeof value) {
    case 'number': {
      if (Number.isInteger(value) && value >= SMALL_INT_MIN && value <= SMALL_INT_MAX && !Object.is(value, -0)) {
        const zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
        const frame = frameOf(1 + varintBytes(zigzag));
        frame[start] = TAG_INT32;
        writeVarint(frame, start + 1, zigzag);
        return frame;
      }
      const frame = frameOf(9);
      frame[start] = TAG_DOUBLE;
      frame.writeDoubleLE(value, start + 1);
      return frame;
    }
    case 'string': {
      if (value.length > MAX_STRING_LENGTH || !LATIN1.test(value)) return undefined;
      const frame = frameOf(1 + varintBytes(value.length) + value.length);
      frame[start] = TAG_ONE_BYTE_STRING;
      const at = writeVarint(frame, start + 1, value.length);
      frame.write(value, at, 'latin1');
      return frame;
    }
    case 'boolean': {
      const frame = frameOf(1);
      frame[start] = value ? TAG_TRUE : TAG_FALSE;
      return frame;
    }
    case 'undefined': {
      const frame = frameOf(1);
      frame[start] = TAG_UNDEFINED;
      return frame;
    }
    case 'object': {
      if (value !== null) return undefined;
      const frame = frameOf(1);
      frame[start] = TAG_NULL;
      return frame;
    }
    default:
      return undefined;
  }
}

/** Returned by {@link decodeScalar} for a payload it does not read. */
export const NOT_SCALAR: unique symbol = Symbol('not a scalar');

/**
 * The scalar in `payload` (a frame's payload) when it is exactly a v8
 * header of this version and one scalar tag with its value; otherwise
 * {@link NOT_SCALAR}, and the caller uses `v8.deserialize`.
 */
export function decodeScalar(payload: Buffer): unknown {
  const length = payload.byteLength;
  const start = HEADER.byteLength;
  if (length <= start || payload[0] !== HEADER[0] || payload[1] !== HEADER[1] || (start > 2 && !payload.subarray(0, start).equals(HEADER))) return NOT_SCALAR;
  const tag = payload[start];
  let at = start + 1;
  switch (tag) {
    case TAG_INT32: {
      // A uint32 varint of at most 5 bytes, then zigzag.
      let zigzag = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (at >= length || i === 5) return NOT_SCALAR;
        const byte = payload[at++]!;
        zigzag += (byte & 0x7f) * scale;
        scale *= 128;
        if (byte < 0x80) break;
      }
      if (at !== length || zigzag > 0xffff_ffff) return NOT_SCALAR;
      return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
    case TAG_DOUBLE:
      return length === at + 8 ? payload.readDoubleLE(at) : NOT_SCALAR;
    case TAG_ONE_BYTE_STRING: {
      let size = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (at >= length || i === 5) return NOT_SCALAR;
        const byte = payload[at++]!;
        size += (byte & 0x7f) * scale;
        scale *= 128;
        if (byte < 0x80) break;
      }
      return at + size === length ? payload.toString('latin1', at, length) : NOT_SCALAR;
    }
    case TAG_TRUE:
      return at === length ? true : NOT_SCALAR;
    case TAG_FALSE:
      return at === length ? false : NOT_SCALAR;
    case TAG_NULL:
      return at === length ? null : NOT_SCALAR;
    case TAG_UNDEFINED:
      return at === length ? undefined : NOT_SCALAR;
    default:
      return NOT_SCALAR;
  }
}
