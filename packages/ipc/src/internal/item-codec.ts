import { deserialize, serialize } from 'node:v8';
import { DataCloneError, allocateShared, freeShared, regionAt, type SharedRegion } from '@mp/core';
import { decodeSync, discard, encode, type SharedTable } from '@mp/core/internal';
import { decodePlain, encodePlain, NOT_PLAIN } from './plain-data.js';

/**
 * How an item becomes bytes in shared memory and back.
 *
 * Structured clone (`v8.serialize`) is the contract, but it costs 2–4 µs even
 * for a small integer — more than everything else a put and a get do together.
 * Values whose clone is trivially the value itself (numbers, well-formed
 * strings, booleans, null, undefined) and plain byte arrays are therefore
 * written directly, and arrays and plain objects of them in their
 * `v8.serialize` form but without `v8.serialize` (see `plain-data.ts`);
 * everything else goes through `v8.serialize`, with the shared objects
 * inside encoded by core (so a Lock or a Queue in an item arrives by
 * identity). The receiver gets exactly what `v8.deserialize` would have
 * given.
 */

/** Record kinds (bits 24–28 of a record header). 0 is never a kind: a zero header means "nothing here yet". */
export const KIND_SKIP = 1;
export const KIND_V8 = 2;
export const KIND_BYTES = 3;
export const KIND_NUMBER = 4;
export const KIND_STRING = 5;
export const KIND_TRUE = 6;
export const KIND_FALSE = 7;
export const KIND_NULL = 8;
export const KIND_UNDEFINED = 9;
export const KIND_UINT8 = 10;
export const KIND_BUFFER = 11;
/** Arrays and plain objects of primitives in their `v8.serialize` form, written by {@link encodePlain}. */
export const KIND_PLAIN = 12;

/** Payloads larger than this travel out of line, in a region of their own. */
export const INLINE_MAX_BYTES = 4096;

/** A value ready to be written: its kind and payload. */
export interface Outgoing {
  readonly kind: number;
  /** The payload is a `[value, table]` pair whose shared objects `decodeSync` must revive (see core's codec). */
  readonly shared: boolean;
  /** {@link KIND_NUMBER}: the number. */
  readonly number: number;
  /** {@link KIND_STRING} written in place: the string (its UTF-8 takes at most {@link Outgoing.size} bytes). */
  readonly text: string | undefined;
  /** The payload bytes of the other kinds (empty for the constant kinds). */
  readonly bytes: Uint8Array | undefined;
  /** Bytes the payload takes: exact, or an upper bound for a string written in place. */
  readonly size: number;
}

/** What a consumer copied out of a record while it held the lock. */
export interface Incoming {
  readonly kind: number;
  readonly shared: boolean;
  /** The value itself, for the kinds decoded in place. */
  readonly value: unknown;
  /** A private copy of the payload bytes, for the kinds decoded later. */
  readonly bytes: Uint8Array | undefined;
  /** An out-of-line payload: its region in the arena, freed once decoded. */
  readonly region: { readonly offset: number; readonly length: number } | undefined;
}

const EMPTY = new Uint8Array(0);
const CONTEXT = { crossProcess: false, startMethod: undefined } as const;

function outgoing(kind: number, bytes: Uint8Array | undefined, shared = false): Outgoing {
  return { kind, shared, number: 0, text: undefined, bytes, size: bytes?.byteLength ?? 0 };
}

/**
 * Encodes a value for sending.
 *
 * @param path - how to name the value in errors (`item`, `obj`)
 * @throws {@link DataCloneError} naming what inside `value` cannot be cloned
 */
export function encodeValue(value: unknown, path: string): Outgoing {
  switch (typeof value) {
    case 'number':
      return { kind: KIND_NUMBER, shared: false, number: value, text: undefined, bytes: undefined, size: 8 };
    case 'string':
      // Lone surrogates do not survive UTF-8: such strings take the v8 path.
      if (value.isWellFormed()) {
        if (value.length * 3 <= INLINE_MAX_BYTES) {
          return { kind: KIND_STRING, shared: false, number: 0, text: value, bytes: undefined, size: value.length * 3 };
        }
        return outgoing(KIND_STRING, Buffer.from(value, 'utf8'));
      }
      break;
    case 'boolean':
      return outgoing(value ? KIND_TRUE : KIND_FALSE, undefined);
    case 'undefined':
      return outgoing(KIND_UNDEFINED, undefined);
    case 'object':
      if (value === null) return outgoing(KIND_NULL, undefined);
      // A view over shared memory is not copied: core's codec sends it by identity.
      if (value instanceof Uint8Array && !(value.buffer instanceof SharedArrayBuffer)) {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto === Uint8Array.prototype) return outgoing(KIND_UINT8, value);
        if (proto === Buffer.prototype) return outgoing(KIND_BUFFER, value);
      }
      {
        const plain = encodePlain(value);
        if (plain) return outgoing(KIND_PLAIN, plain);
      }
      break;
    default:
      break;
  }
  const encoded = encode(value, CONTEXT, path);
  let bytes: Buffer;
  try {
    // With shared objects, the value travels with its table of them, in one serialization (see core's codec).
    bytes = serialize(encoded.shared ? [encoded.value, encoded.shared] : encoded.value);
  } catch (error) {
    throw new DataCloneError(
      `${path} cannot be sent to another thread or process: ${(error as Error)?.message ?? String(error)}. ` +
        'Send structured-cloneable data (plain objects, arrays, Maps, typed arrays…) or shared @mp objects.',
      { cause: error },
    );
  }
  return outgoing(KIND_V8, bytes, encoded.shared !== false);
}

/** Encodes raw bytes (`sendBytes`); they are received as they are. */
export function encodeBytes(view: Uint8Array): Outgoing {
  return outgoing(KIND_BYTES, view);
}

/**
 * The same value, with its payload copied: for a put that has to wait, so that
 * the caller may reuse its buffer as soon as the call returns (and the plain
 * codec its scratch buffer).
 */
export function detach(item: Outgoing): Outgoing {
  if (item.bytes === undefined || item.kind === KIND_V8 || item.bytes.byteLength === 0) return item;
  // A copy (Buffer#slice would only be a view).
  return { ...item, bytes: new Uint8Array(item.bytes) };
}

/** Writes the payload at `at`; returns its exact length. */
export function writePayload(buf: Buffer, at: number, item: Outgoing): number {
  if (item.kind === KIND_NUMBER) {
    buf.writeDoubleLE(item.number, at);
    return 8;
  }
  if (item.text !== undefined) return item.text.length === 0 ? 0 : buf.write(item.text, at, item.size, 'utf8');
  const bytes = item.bytes;
  if (bytes === undefined || bytes.byteLength === 0) return 0;
  buf.set(bytes, at);
  return bytes.byteLength;
}

/**
 * Copies a payload of the arena into an {@link Incoming}. Runs under the
 * consumer lock: it must copy, because the bytes are reused once the lock is
 * released.
 */
export function readPayload(buf: Buffer, u8: Uint8Array, kind: number, shared: boolean, at: number, length: number): Incoming {
  let value: unknown;
  let bytes: Uint8Array | undefined;
  switch (kind) {
    case KIND_NUMBER:
      value = buf.readDoubleLE(at);
      break;
    case KIND_STRING:
      value = length === 0 ? '' : buf.toString('utf8', at, at + length);
      break;
    case KIND_TRUE:
      value = true;
      break;
    case KIND_FALSE:
      value = false;
      break;
    case KIND_NULL:
      value = null;
      break;
    case KIND_UNDEFINED:
      value = undefined;
      break;
    case KIND_PLAIN:
      value = decodePlain(buf, at, at + length);
      // Bytes the plain reader does not take exactly are left to v8.deserialize, as a v8 item.
      if (value === NOT_PLAIN) return { kind: KIND_V8, shared: false, value: undefined, bytes: u8.slice(at, at + length), region: undefined };
      break;
    default:
      // Uint8Array.prototype.slice copies into a fresh, non-shared ArrayBuffer.
      bytes = length === 0 ? EMPTY : u8.slice(at, at + length);
  }
  return { kind, shared, value, bytes, region: undefined };
}

/** An {@link Incoming} whose payload is out of line. */
export function outOfLine(kind: number, shared: boolean, offset: number, length: number): Incoming {
  return { kind, shared, value: undefined, bytes: undefined, region: { offset, length } };
}

/**
 * Copies a large payload into a region of its own, before the producer takes
 * the lock: the copy of a 16 MiB item then does not hold up the other items.
 * The region is freed by the consumer that takes the item.
 */
export function copyOutOfLine(item: Outgoing): SharedRegion {
  const bytes = item.bytes ?? Buffer.from(item.text ?? '', 'utf8');
  const region = allocateShared(bytes.byteLength, { reclaim: false });
  region.bytes().set(bytes);
  return region;
}

/** The out-of-line payload bytes as a Uint8Array copy (kinds decoded from bytes). */
function takeRegion(incoming: Incoming): { view: Uint8Array; done: () => void } {
  const { offset, length } = incoming.region!;
  const region = regionAt(offset, length);
  return { view: region.bytes(), done: () => freeShared(region) };
}

function fromBytes(kind: number, shared: boolean, view: Uint8Array, isCopy: boolean): unknown {
  switch (kind) {
    case KIND_STRING:
      return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8');
    case KIND_PLAIN: {
      const value = decodePlain(Buffer.from(view.buffer, view.byteOffset, view.byteLength));
      return value !== NOT_PLAIN ? value : deserialize(view);
    }
    case KIND_UINT8:
    case KIND_BYTES:
      return isCopy ? view : view.slice();
    case KIND_BUFFER: {
      const copy = isCopy ? view : view.slice();
      return Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
    }
    default: {
      if (!shared) return deserialize(view);
      const [value, table] = deserialize(view) as [unknown, SharedTable];
      return decodeSync({ value, shared: table });
    }
  }
}

/** The value of a received item (outside the lock: may import modules of shared types). */
export function decodeIncoming(incoming: Incoming): unknown {
  if (incoming.region) {
    const { view, done } = takeRegion(incoming);
    try {
      return fromBytes(incoming.kind, incoming.shared, view, false);
    } finally {
      done();
    }
  }
  if (incoming.bytes === undefined) return incoming.value;
  return fromBytes(incoming.kind, incoming.shared, incoming.bytes, true);
}

/**
 * A received message as bytes (`recvBytes`): raw bytes as sent, an object as
 * its `v8.serialize` form — what `recv` of those bytes would decode again.
 */
export function incomingBytes(incoming: Incoming): Uint8Array {
  if (incoming.shared) {
    if (incoming.region) freeOutOfLine(incoming.region.offset, incoming.region.length);
    throw new TypeError(
      'recvBytes() received a message that holds shared objects (a Lock, a Queue, a Value…), which cannot be read as bytes. ' +
        'Receive such messages with recv().',
    );
  }
  if (incoming.kind === KIND_BYTES || incoming.kind === KIND_V8) {
    if (incoming.region) {
      const { view, done } = takeRegion(incoming);
      try {
        return view.slice();
      } finally {
        done();
      }
    }
    return incoming.bytes!;
  }
  const bytes = serialize(decodeIncoming(incoming));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The length of what `recvBytes` would return for this item, without taking
 * it (nothing is freed): for `recvBytes(maxLength)`, which leaves a longer
 * message where it is.
 */
export function messageLength(incoming: Incoming): number {
  if (incoming.kind === KIND_BYTES || incoming.kind === KIND_V8) {
    return incoming.region ? incoming.region.length : incoming.bytes!.byteLength;
  }
  const value = incoming.region
    ? fromBytes(incoming.kind, false, regionAt(incoming.region.offset, incoming.region.length).bytes(), false)
    : decodeIncoming(incoming);
  return serialize(value).byteLength;
}

/**
 * Decodes raw bytes received by `recv` (Python: unpickling what `send_bytes`
 * sent): they must be a `v8.serialize` form. They are data only: raw bytes
 * never carry shared objects, so nothing in them can name a module to load
 * (unlike pickle, whose bytes can make the receiver run code).
 */
export function decodeRawBytes(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = deserialize(bytes);
  } catch (error) {
    throw new TypeError(
      `recv() received ${bytes.byteLength} raw bytes (sent with sendBytes()) that are not a v8.serialize() form: ` +
        `${(error as Error)?.message}. Receive them with recvBytes() instead.`,
      { cause: error },
    );
  }
  return value;
}

/** Frees an out-of-line payload nobody will read (a put that timed out, a queue being reclaimed). */
export function freeOutOfLine(offset: number, length: number): void {
  freeShared(regionAt(offset, length));
}

/**
 * For the payload of an item holding shared objects that nobody will take (a
 * queue reclaimed with items in it): their copies in flight stop holding
 * memory. The payload is a `[value, table]` pair (see {@link encodeValue}).
 */
export function discardPayload(bytes: Uint8Array): void {
  const [value, table] = deserialize(bytes) as [unknown, SharedTable];
  discard({ value, shared: table });
}

/** The same for an item that was encoded but will not be put (a put that timed out). */
export function discardItem(item: Outgoing): void {
  if (item.shared && item.bytes) discardPayload(item.bytes);
}
