import * as threads from 'node:worker_threads';
import { describe } from '@mp/core/internal';
import { isDetached, makeMark } from './internal/moves.js';

/** Node ≥ 21 tells which buffers cannot be transferred (its pooled `Buffer` memory); Node 20 does not. */
const isUntransferable = (threads as { isMarkedAsUntransferable?: (object: object) => boolean }).isMarkedAsUntransferable;

function bufferOf(value: unknown, where: string): ArrayBuffer {
  if (value instanceof ArrayBuffer) return value;
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    throw new TypeError(
      `Expected ${where} to be an ArrayBuffer (or a typed array or DataView over one), got a SharedArrayBuffer: shared memory is ` +
        'never transferred — pass it without move() (under the thread start method it is shared as it is; use @mp/shared for memory shared with processes)',
    );
  }
  throw new TypeError(`Expected ${where} to be an ArrayBuffer (or a typed array or DataView over one), got ${describe(value)}`);
}

/**
 * Marks a task argument, or a task's returned value, so that its `ArrayBuffer`s are
 * transferred to the other side instead of copied. Under the `'thread'` start method the
 * memory changes hands without a copy: the sender's buffer is detached — its `byteLength`
 * is 0 and every view over it is empty — from the moment the pool call returns (for an
 * argument) or the task returns (for a result). Under `'process'` the same call copies, as
 * every argument is copied through IPC, and the sender's buffer stays intact.
 *
 * The mark is honoured at the top level only: an element of `apply`/`applyAsync`'s `args`,
 * an item of `map`/`imap` (or an argument inside a `starmap` item), or the value a task
 * returns (or resolves to). Put the whole object in `move()` and list its buffers in
 * `transferList` to move buffers nested in it. Until the first `move()` in a thread, the
 * pool looks for no mark at all.
 *
 * The type of the mark is the type of `value`, so that it fits where the value goes; it is
 * not the value itself — pass it to the pool (or return it) at once, and do not use it otherwise.
 *
 * Python: none (pickling always copies). Piscina: `Piscina.move()`.
 *
 * @param value - what to send: an `ArrayBuffer`, a typed array or `DataView` (its `buffer` is
 *   transferred), or any structured-clonable value with `transferList`
 * @param transferList - the buffers to transfer; @defaultValue `value`'s own buffer
 * @returns the mark standing for `value`
 * @throws TypeError when `value` has no buffer of its own and no `transferList` is given, when a
 *   listed item is not an `ArrayBuffer` (a `SharedArrayBuffer`, or a view over one, is refused:
 *   shared memory is shared, never transferred), when a buffer is listed twice, when a buffer was
 *   already transferred, and (on Node ≥ 21) for Node's pooled `Buffer` memory, which cannot be
 *   transferred. Moving the same buffer in two arguments of one call is a TypeError at that call.
 * @example
 * ```ts
 * const pixels = new Uint8Array(1 << 20);
 * const histogram = await pool.apply(countBytes, [move(pixels)]);
 * pixels.byteLength; // 0 under 'thread' (transferred), 1048576 under 'process' (copied)
 *
 * // in the task module: the parent receives the buffer without a copy
 * export function render(width: number): Uint8Array {
 *   return move(new Uint8Array(width * 4));
 * }
 * ```
 */
export function move<T>(value: T, transferList?: readonly ArrayBuffer[]): T {
  let transfer: ArrayBuffer[];
  if (transferList === undefined) {
    transfer = [bufferOf(ArrayBuffer.isView(value) ? value.buffer : value, 'the value of move()')];
  } else {
    if (!Array.isArray(transferList)) throw new TypeError(`Expected \`transferList\` to be an array of ArrayBuffers, got ${describe(transferList)}`);
    if (transferList.length === 0) throw new TypeError('Expected `transferList` to list at least one ArrayBuffer, got an empty array: pass the value without move() to copy it');
    transfer = transferList.map((item: unknown, i) => bufferOf(item, `transferList[${i}]`));
  }
  const seen = new Set<ArrayBuffer>();
  for (const buffer of transfer) {
    if (seen.has(buffer)) throw new TypeError(`The transfer list of move() holds the same ArrayBuffer twice (${describe(buffer)}): list each buffer once`);
    seen.add(buffer);
    if (isDetached(buffer)) {
      throw new TypeError('Cannot move() an ArrayBuffer that was already transferred (it is detached, byteLength 0): move a buffer once, and do not reuse a buffer you moved');
    }
    if (isUntransferable?.(buffer)) {
      throw new TypeError(
        "Cannot move() a buffer of Node's shared Buffer pool (Buffer.from(), Buffer.allocUnsafe() and friends of small sizes use it): " +
          'it cannot be transferred. Allocate its own memory (Buffer.alloc(), a typed array), or send it without move() to copy it',
      );
    }
  }
  return makeMark(value, transfer) as T;
}
