import { types } from 'node:util';
import { serialize } from 'node:v8';
import { share } from '@mp/core';

/**
 * The `v8.serialize` form of plain data — numbers, strings, booleans, null,
 * undefined, and dense arrays and plain objects made of them — written and
 * read without `v8.serialize`/`v8.deserialize`, which cost several µs per
 * call (a serializer object per message), more than the rest of a put and a
 * get, or of a socket round trip. Queue and Pipe items in shared memory
 * (`item-codec.ts`) and socket messages (`socket-connection.ts`) both use it.
 *
 * The bytes are exactly what `v8.serialize` gives, V8's `ValueSerializer`
 * format: a header (`0xFF`, this V8's format version), then tags as V8
 * writes them — `I` + zigzag varint for small integers, `N` + little-endian
 * double, `"` + varint length + Latin-1 bytes, `c` + UTF-16LE (after a `\0`
 * padding byte where V8 aligns), `T`, `F`, `0`, `_`, `o` … `{` count for
 * objects (array-index keys as numbers), `A` length … `$` 0 length for dense
 * arrays. So a reader without this fast path (a socket peer) reads them with
 * `v8.deserialize`, and so does the caller when {@link decodePlain} declines.
 *
 * Writing declines (returns undefined, and the caller uses `v8.serialize`,
 * with its checks and errors, and core's codec for shared objects) what is
 * not a plain copy under structured clone: other prototypes, shared `@mp`
 * objects, proxies, arrays with holes or extra properties, an object reached
 * twice, a `__proto__` key, lone surrogates, more than {@link MAX_NODES}
 * nodes, deeper than {@link MAX_DEPTH} or longer than {@link MAX_BYTES}.
 * Reading takes only exactly such a value (anything else — other tags, other
 * versions, a `__proto__` key, trailing bytes — is left to `v8.deserialize`),
 * so what it gives is what `v8.deserialize` gives: plain data, never code.
 */

const MAX_NODES = 512;
const MAX_DEPTH = 24;
/** Values whose form is longer go through `v8.serialize` (its cost is then small beside the bytes). */
const MAX_BYTES = 256 * 1024;

/** `0xFF` and the version varint of this V8's serializer (the bytes `v8.serialize` starts with). */
const HEADER = serialize(null).subarray(0, -1);
const FRAME_HEADER_BYTES = 4;
const PAYLOAD_START = FRAME_HEADER_BYTES + HEADER.byteLength;
/** Frames up to this many bytes are copied out of the scratch buffer byte by byte. */
const SMALL_COPY = 256;

const TAG_PADDING = 0x00;
const TAG_INT32 = 0x49; // I
const TAG_DOUBLE = 0x4e; // N
const TAG_ONE_BYTE_STRING = 0x22; // "
const TAG_TWO_BYTE_STRING = 0x63; // c
const TAG_TRUE = 0x54; // T
const TAG_FALSE = 0x46; // F
const TAG_NULL = 0x30; // 0
const TAG_UNDEFINED = 0x5f; // _
const TAG_BEGIN_OBJECT = 0x6f; // o
const TAG_END_OBJECT = 0x7b; // {
const TAG_BEGIN_DENSE_ARRAY = 0x41; // A
const TAG_END_DENSE_ARRAY = 0x24; // $

/** Integers in this range are small integers (Smis) in every V8 build: V8 writes them as `I`. */
const SMALL_INT_MIN = -(2 ** 30);
const SMALL_INT_MAX = 2 ** 30 - 1;
/** The largest array index (keys up to it are elements, which V8 writes as numbers). */
const MAX_ARRAY_INDEX = 2 ** 32 - 2;
// eslint-disable-next-line no-control-regex
const LATIN1 = /^[\u0000-\u00ff]*$/;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

// ----- writing ---------------------------------------------------------------

let scratch = Buffer.allocUnsafe(16 * 1024);
let at = 0;
let nodes = 0;
/** Objects met so far in this value (`seen[0, seenCount)`): a second meeting means shared structure (decline). */
const seen: (object | undefined)[] = [];
let seenCount = 0;
/** Strings up to this many characters are written and read by a loop in JS, not a native call (which costs more for them). */
const SHORT_STRING = 64;
/** Reading a property may run a getter that sends another message: such a nested call declines. */
let busy = false;

function room(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(bigger, 0, 0, at);
  scratch = bigger;
}

function writeVarint(value: number): void {
  if (value < 0x80) {
    room(1);
    scratch[at++] = value;
    return;
  }
  room(5);
  while (value >= 0x80) {
    scratch[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  scratch[at++] = value;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function writeNumber(value: number): void {
  // `value | 0` is value for int32s (and for -0, which is a double: 1 / -0 < 0).
  if ((value | 0) === value && value >= SMALL_INT_MIN && value <= SMALL_INT_MAX && (value !== 0 || 1 / value > 0)) {
    room(1);
    scratch[at++] = TAG_INT32;
    writeVarint(value >= 0 ? value * 2 : -value * 2 - 1);
  } else {
    room(9);
    scratch[at] = TAG_DOUBLE;
    scratch.writeDoubleLE(value, at + 1);
    at += 9;
  }
}

function writeString(text: string): boolean {
  const length = text.length;
  if (length <= SHORT_STRING) {
    // Latin-1 (ASCII included), the usual case for short strings: one byte a character.
    room(2 + length);
    const start = at;
    scratch[at++] = TAG_ONE_BYTE_STRING;
    scratch[at++] = length; // < 0x80: a one-byte varint
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) {
        at = start;
        return writeLongString(text);
      }
      scratch[at++] = code;
    }
    return true;
  }
  return writeLongString(text);
}

function writeLongString(text: string): boolean {
  if (text.length > MAX_BYTES) return false;
  // ASCII, the usual case, in one native call: its UTF-8 is its Latin-1, one byte a character
  // (any other character takes more UTF-8 bytes, so a longer write means "not ASCII").
  const start = at;
  room(6 + text.length * 3);
  scratch[at++] = TAG_ONE_BYTE_STRING;
  writeVarint(text.length);
  const written = scratch.write(text, at, 'utf8');
  if (written === text.length) {
    at += written;
    return true;
  }
  at = start;
  if (LATIN1.test(text)) {
    room(6 + text.length);
    scratch[at++] = TAG_ONE_BYTE_STRING;
    writeVarint(text.length);
    at += scratch.write(text, at, 'latin1');
    return true;
  }
  if (!text.isWellFormed()) return false;
  const bytes = text.length * 2;
  room(7 + bytes);
  // V8 aligns the UTF-16 bytes on an even offset of its buffer (which starts at the v8 header).
  if ((at - FRAME_HEADER_BYTES + 1 + varintBytes(bytes)) & 1) scratch[at++] = TAG_PADDING;
  scratch[at++] = TAG_TWO_BYTE_STRING;
  writeVarint(bytes);
  at += scratch.write(text, at, 'utf16le');
  return true;
}

function writeKey(key: string): boolean {
  const first = key.charCodeAt(0);
  // Only a key that starts with a digit can be an array index.
  if (first >= 0x30 && first <= 0x39 && ARRAY_INDEX.test(key)) {
    const index = Number(key);
    if (index <= MAX_ARRAY_INDEX) {
      writeNumber(index);
      return true;
    }
  }
  return key !== '__proto__' && writeString(key);
}

function write(value: unknown, depth: number): boolean {
  if (++nodes > MAX_NODES || at > MAX_BYTES) return false;
  switch (typeof value) {
    case 'number':
      writeNumber(value);
      return true;
    case 'string':
      return writeString(value);
    case 'boolean':
      room(1);
      scratch[at++] = value ? TAG_TRUE : TAG_FALSE;
      return true;
    case 'undefined':
      room(1);
      scratch[at++] = TAG_UNDEFINED;
      return true;
    case 'object': {
      if (value === null) {
        room(1);
        scratch[at++] = TAG_NULL;
        return true;
      }
      if (depth >= MAX_DEPTH || types.isProxy(value)) return false;
      for (let i = 0; i < seenCount; i++) if (seen[i] === value) return false;
      if ((value as { [share]?: unknown })[share] !== undefined) return false;
      const proto: unknown = Object.getPrototypeOf(value);
      seen[seenCount++] = value;
      if (proto === Array.prototype && Array.isArray(value)) {
        const length = value.length;
        // Holes and extra properties (a RegExp match's `index`…) survive structured clone: decline.
        if (Object.keys(value).length !== length) return false;
        room(1);
        scratch[at++] = TAG_BEGIN_DENSE_ARRAY;
        writeVarint(length);
        for (let i = 0; i < length; i++) {
          if (!Object.hasOwn(value, i) || !write(value[i], depth + 1)) return false;
        }
        room(1);
        scratch[at++] = TAG_END_DENSE_ARRAY;
        writeVarint(0);
        writeVarint(length);
        return true;
      }
      if (proto === Object.prototype) {
        const keys = Object.keys(value);
        room(1);
        scratch[at++] = TAG_BEGIN_OBJECT;
        for (const key of keys) {
          if (!writeKey(key) || !write((value as Record<string, unknown>)[key], depth + 1)) return false;
        }
        room(1);
        scratch[at++] = TAG_END_OBJECT;
        writeVarint(keys.length);
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

/**
 * Writes `value` into the scratch buffer after room for a frame header:
 * `[FRAME_HEADER_BYTES, at)` is then its `v8.serialize` form. False when
 * `value` is not plain data this writes.
 */
function writeValue(value: unknown): boolean {
  if (busy) return false;
  busy = true;
  at = PAYLOAD_START;
  nodes = 0;
  try {
    if (!write(value, 0) || at > MAX_BYTES) return false;
    for (let i = 0; i < HEADER.byteLength; i++) scratch[FRAME_HEADER_BYTES + i] = HEADER[i]!;
    return true;
  } catch {
    // A getter threw, say: v8.serialize will meet the same error and report it.
    return false;
  } finally {
    // Forgotten one by one: setting an array's length is a runtime call in V8.
    for (let i = 0; i < seenCount; i++) seen[i] = undefined;
    seenCount = 0;
    busy = false;
  }
}

/**
 * The `v8.serialize` form of `value`, or undefined when `value` is not plain
 * data this writes (the caller then uses `v8.serialize`).
 *
 * @returns a view of a scratch buffer, valid until the next call: copy or write the bytes at once
 */
export function encodePlain(value: unknown): Uint8Array | undefined {
  return writeValue(value) ? scratch.subarray(FRAME_HEADER_BYTES, at) : undefined;
}

/**
 * The whole socket frame (4-byte big-endian length, then the payload)
 * carrying `value` in its `v8.serialize` form, or undefined when `value` is
 * not plain data this writes (the caller then uses `v8.serialize`).
 */
export function encodePlainFrame(value: unknown): Buffer | undefined {
  if (!writeValue(value)) return undefined;
  const frame = Buffer.allocUnsafe(at);
  scratch.writeInt32BE(at - FRAME_HEADER_BYTES, 0);
  // Buffer#copy makes two typed-array views per call: a loop is cheaper for the usual few bytes.
  if (at <= SMALL_COPY) for (let i = 0; i < at; i++) frame[i] = scratch[i]!;
  else scratch.copy(frame, 0, 0, at);
  return frame;
}

// ----- reading ---------------------------------------------------------------

/** Returned by {@link decodePlain} for a payload it does not read. */
export const NOT_PLAIN: unique symbol = Symbol('not plain data');
/** Returned inside the reader when the bytes are not exactly plain data. */
const FAIL: unique symbol = Symbol('fail');

let input: Buffer = Buffer.alloc(0);
let position = 0;
let end = 0;

/**
 * Short one-byte strings read lately, by a hash of their bytes: a message's keys
 * (`op`, `rid`…) come again and again, and taking the string made last time
 * spares a native call and a new string (which V8 would intern again as a key).
 */
const recent: string[] = new Array<string>(256).fill('');
/** Strings up to this many bytes go through {@link recent}. */
const RECENT_BYTES = 24;

function readOneByteString(length: number): string {
  if (length > RECENT_BYTES) return input.toString('latin1', position, position + length);
  let hash = length;
  for (let i = position; i < position + length; i++) hash = (hash * 31 + input[i]!) | 0;
  const slot = (hash ^ (hash >>> 8)) & 0xff;
  const cached = recent[slot]!;
  if (cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== input[position + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = input.toString('latin1', position, position + length);
  recent[slot] = text;
  return text;
}

function readVarint(): number {
  if (position < end && input[position]! < 0x80) return input[position++]!;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (position >= end) return -1;
    const byte = input[position++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return value <= 0xffff_ffff ? value : -1;
  }
  return -1;
}

/** The next tag, skipping padding (as V8's reader does); -1 at the end. */
function readTag(): number {
  while (position < end) {
    const tag = input[position++]!;
    if (tag !== TAG_PADDING) return tag;
  }
  return -1;
}

function read(depth: number): unknown {
  const tag = position < end && input[position] !== TAG_PADDING ? input[position++]! : readTag();
  switch (tag) {
    case TAG_UNDEFINED:
      return undefined;
    case TAG_NULL:
      return null;
    case TAG_TRUE:
      return true;
    case TAG_FALSE:
      return false;
    case TAG_INT32: {
      const zigzag = readVarint();
      if (zigzag < 0) return FAIL;
      return (zigzag >>> 1) ^ -(zigzag & 1);
    }
    case TAG_DOUBLE: {
      if (position + 8 > end) return FAIL;
      const value = input.readDoubleLE(position);
      position += 8;
      return value;
    }
    case TAG_ONE_BYTE_STRING: {
      const length = readVarint();
      if (length < 0 || position + length > end) return FAIL;
      const text = readOneByteString(length);
      position += length;
      return text;
    }
    case TAG_TWO_BYTE_STRING: {
      const length = readVarint();
      if (length < 0 || length % 2 !== 0 || position + length > end) return FAIL;
      const text = input.toString('utf16le', position, position + length);
      position += length;
      return text;
    }
    case TAG_BEGIN_OBJECT: {
      if (depth >= MAX_DEPTH) return FAIL;
      const object: Record<string, unknown> = {};
      let count = 0;
      // V8 writes padding only before a two-byte string: the end tag is the next byte (or the bytes are not ours).
      while (position < end && input[position] !== TAG_END_OBJECT) {
        let key = read(depth + 1);
        // V8 writes array-index keys as numbers; the property name is the number's string.
        if (typeof key === 'number') key = String(key);
        else if (typeof key !== 'string' || key === '__proto__') return FAIL;
        const entry = read(depth + 1);
        if (entry === FAIL) return FAIL;
        object[key as string] = entry;
        count++;
      }
      readTag();
      return readVarint() === count ? object : FAIL;
    }
    case TAG_BEGIN_DENSE_ARRAY: {
      if (depth >= MAX_DEPTH) return FAIL;
      const length = readVarint();
      // Every element takes at least a byte: a length past the end is a lie (no allocation for it).
      if (length < 0 || length > end - position) return FAIL;
      // Pushed, not `new Array(length)`: that array would be holey, which v8.serialize writes as a sparse array.
      const array: unknown[] = [];
      for (let i = 0; i < length; i++) {
        const entry = read(depth + 1);
        if (entry === FAIL) return FAIL;
        array.push(entry);
      }
      // Extra properties come before the end tag: leave those to v8.deserialize.
      if (readTag() !== TAG_END_DENSE_ARRAY || readVarint() !== 0 || readVarint() !== length) return FAIL;
      return array;
    }
    default:
      return FAIL;
  }
}

/**
 * The value in `buffer[start, end)` when those bytes are exactly a v8 header
 * of this version and one plain value as {@link encodePlain} writes it (or V8
 * writes it); otherwise {@link NOT_PLAIN}, and the caller uses
 * `v8.deserialize` on the same bytes.
 */
export function decodePlain(buffer: Buffer, start = 0, stop = buffer.byteLength): unknown {
  const first = start + HEADER.byteLength;
  if (stop <= first) return NOT_PLAIN;
  for (let i = 0; i < HEADER.byteLength; i++) if (buffer[start + i] !== HEADER[i]) return NOT_PLAIN;
  input = buffer;
  position = first;
  end = stop;
  try {
    const value = read(0);
    return value === FAIL || position !== end ? NOT_PLAIN : value;
  } finally {
    input = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
