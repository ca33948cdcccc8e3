import { randomBytes } from 'node:crypto';
import { SegmentError } from './errors.js';
import { addon } from './internal/addon.js';
import { describe } from './internal/describe.js';

/** shm names are "/" plus at most NAME_MAX (255) bytes, with no other "/". */
const MAX_NAME_BYTES = 255;

function checkName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string') {
    throw new TypeError(`Expected \`name\` of ${where} to be a string like '/mp-1234-0a1b2c3d', got ${describe(name)}`);
  }
  const rest = name.slice(1);
  if (
    !name.startsWith('/') ||
    rest.length === 0 ||
    rest.includes('/') ||
    rest.includes('\0') ||
    Buffer.byteLength(rest) > MAX_NAME_BYTES
  ) {
    throw new RangeError(
      `Expected \`name\` of ${where} to be "/" followed by 1 to ${MAX_NAME_BYTES} bytes without "/" or NUL ` +
        `(like '/mp-1234-0a1b2c3d'), got ${describe(name)}. Use segmentName() for a fresh one.`,
    );
  }
}

function checkBytes(bytes: unknown, where: string): asserts bytes is number {
  if (typeof bytes !== 'number') {
    throw new TypeError(`Expected \`bytes\` of ${where} to be a positive integer, got ${describe(bytes)}`);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`Expected \`bytes\` of ${where} to be a positive integer, got ${describe(bytes)}`);
  }
}

/** Turns the addon's errno errors (see addon/util.cc) into {@link SegmentError}s. */
function rethrow(error: unknown, name: string, what: string): never {
  if (error instanceof Error && typeof (error as { syscall?: unknown }).syscall === 'string') {
    const e = error as Error & { code: string; errno: number; syscall: string; description?: string };
    const remedy =
      e.code === 'EEXIST'
        ? ' Pick another name (segmentName() makes a fresh one), or open the existing segment with openSegment().'
        : e.code === 'ENOENT'
          ? ' It was never created, or it was unlinked already (by its owner or by the resource tracker).'
          : e.code === 'EMFILE' || e.code === 'ENFILE'
            ? ' Too many open files: close some, or raise the limit (ulimit -n).'
            : e.code === 'ENOMEM' || e.code === 'ENOSPC'
              ? ' Not enough memory or address space: /dev/shm (tmpfs) may be full or too small.'
              : '';
    throw new SegmentError(
      `Cannot ${what} shared-memory segment '${name}': ${e.syscall} failed with ${e.code} (${e.description ?? e.message}).${remedy}`,
      { code: e.code, errno: e.errno, syscall: e.syscall, path: name },
      { cause: error },
    );
  }
  if (error instanceof Error && (error as { code?: unknown }).code === 'ERR_MP_SEGMENT_SIZE') {
    throw new RangeError(error.message, { cause: error });
  }
  throw error;
}

/**
 * A fresh segment name: `/mp-<pid>-<16 hex digits>`. The pid tells a human whose
 * segment it is; the random part makes collisions (even with a reused pid)
 * practically impossible.
 *
 * Python: the `psm_<hex>` names `SharedMemory(create=True)` picks.
 *
 * @returns A name for {@link createSegment}.
 *
 * @example
 * ```ts
 * segmentName(); // '/mp-4242-9f86d081884c7d65'
 * ```
 */
export function segmentName(): string {
  return `/mp-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/**
 * Creates a POSIX shared-memory segment of `bytes` bytes and maps it: the result is
 * a real `SharedArrayBuffer` (so `Atomics` work on it, and posting it to a worker
 * thread shares it) whose memory every process that opens the same name sees.
 *
 * The segment is created exclusively (an existing name is an error) with mode
 * `0600`, and zero-filled. It is sparse: pages take memory only once touched, so a
 * large reservation is free until used. It stays in `/dev/shm` until
 * {@link unlinkSegment} (or the resource tracker: see {@link trackSegment}); the
 * mapping itself lives as long as the `SharedArrayBuffer` (it is unmapped when that
 * is garbage-collected in every thread that has it).
 *
 * Python: `multiprocessing.shared_memory.SharedMemory(name, create=True, size=bytes)`.
 *
 * @param name - `/` and 1 to 255 more bytes, no other `/`; {@link segmentName} makes one.
 * @param bytes - The size, a positive integer.
 * @returns The mapping, `bytes` long.
 * @throws {@link SegmentError} `EEXIST` when the name is taken, or another errno.
 * @throws TypeError / RangeError on a malformed name or size.
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { createSegment, openSegment, segmentName, unlinkSegment } from '@mp/native';
 * const name = segmentName();
 * const words = new Int32Array(createSegment(name, 4096));
 * Atomics.add(words, 0, 1);
 * // in another process: new Int32Array(openSegment(name))[0] === 1
 * unlinkSegment(name);
 * ```
 */
export function createSegment(name: string, bytes: number): SharedArrayBuffer {
  checkName(name, 'createSegment()');
  checkBytes(bytes, 'createSegment()');
  const native = addon();
  try {
    return native.createSegment(name, bytes);
  } catch (error) {
    rethrow(error, name, 'create');
  }
}

/**
 * Maps an existing segment (created by this or another process) as a
 * `SharedArrayBuffer`.
 *
 * Python: `multiprocessing.shared_memory.SharedMemory(name)`.
 *
 * @param name - The segment's name, as given to {@link createSegment}.
 * @param bytes - How many bytes to map from the start; `undefined` maps the whole segment.
 * @returns The mapping.
 * @throws {@link SegmentError} `ENOENT` when no segment has that name, or another errno.
 * @throws RangeError when `bytes` exceeds the segment's size; TypeError / RangeError on malformed arguments.
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * const words = new Int32Array(openSegment(name));
 * Atomics.add(words, 0, 1);
 * ```
 */
export function openSegment(name: string, bytes?: number): SharedArrayBuffer {
  checkName(name, 'openSegment()');
  if (bytes !== undefined) checkBytes(bytes, 'openSegment()');
  const native = addon();
  try {
    return native.openSegment(name, bytes ?? 0);
  } catch (error) {
    rethrow(error, name, 'open');
  }
}

/**
 * Removes a segment's name from `/dev/shm`. Mappings that exist stay valid (the
 * memory is freed when the last one goes); new {@link openSegment} calls fail.
 * Call {@link untrackSegment} afterwards if the segment was tracked.
 *
 * Python: `SharedMemory.unlink()` (which raises `FileNotFoundError` where this
 * returns `false`).
 *
 * @param name - The segment's name.
 * @returns `true` when it was removed, `false` when no segment had that name.
 * @throws {@link SegmentError} on any other failure (e.g. `EACCES`).
 * @throws TypeError / RangeError on a malformed name.
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * unlinkSegment(name); // true
 * unlinkSegment(name); // false
 * ```
 */
export function unlinkSegment(name: string): boolean {
  checkName(name, 'unlinkSegment()');
  const native = addon();
  try {
    return native.unlinkSegment(name);
  } catch (error) {
    rethrow(error, name, 'unlink');
  }
}
