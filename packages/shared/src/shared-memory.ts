import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { defineShared, share, type Shareable, type SharedState } from '@mp/core';
import { checkOptions, describe } from '@mp/core/internal';
import {
  createSegment,
  NativeNotBuiltError,
  NativeUnsupportedError,
  openSegment,
  SegmentError,
  trackSegment,
  unlinkSegment,
  unsupportedReason,
  untrackSegment,
} from '@mp/native';
import { FileExistsError, FileNotFoundError, SharedMemoryClosedError, SharedMemoryUnsupportedError } from './errors.js';

const TYPE = '@mp/shared.SharedMemory';

/** CPython's prefix for the names it makes (`psm_` + 8 hex digits: 14 characters, the BSD limit). */
const NAME_PREFIX = 'psm_';
const NAME_RANDOM_BYTES = 4;
/** shm names are "/" plus at most NAME_MAX (255) bytes. */
const MAX_NAME_BYTES = 255;

const ERRNO_EEXIST = -17;
const ERRNO_ENOENT = -2;

/** Options of {@link SharedMemory}. */
export interface SharedMemoryOptions {
  /**
   * The block's name, as other programs (and CPython's `SharedMemory(name)`) give it:
   * `'psm_1a2b3c4d'`, `'my-block'` — no `/` inside. A leading `/` is accepted and
   * dropped, so names from `@mp/native`'s `segmentName()` work too.
   * @defaultValue a fresh `psm_<8 hex digits>` when `create` is `true`; required otherwise
   */
  readonly name?: string | undefined;
  /**
   * `true` creates a new block (an existing name is a {@link FileExistsError});
   * `false` attaches to an existing one (a missing name is a {@link FileNotFoundError}).
   * @defaultValue `false`
   */
  readonly create?: boolean | undefined;
  /**
   * The size in bytes of a block to create: a positive integer. Ignored when attaching
   * (the whole block is mapped, and `size` reports its size), as in CPython.
   */
  readonly size?: number | undefined;
  /**
   * Register the block with the resource tracker, which unlinks it once this program
   * (with its children) has ended, if nobody unlinked it — also after `SIGKILL`.
   * Python 3.13's `track`.
   * @defaultValue `true` when creating, `false` when attaching (see the README: CPython also
   * tracks on attach, which makes an attaching program unlink the creator's block at its exit)
   */
  readonly track?: boolean | undefined;
}

interface SharedMemoryState {
  readonly name: string;
}

/** Set while a received SharedMemory is rebuilt. */
let reviving: SharedMemoryState | undefined;

/** The name as given to shm_open(): a leading slash, then the user-visible name. */
function segmentPath(name: string): string {
  return `/${name}`;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new TypeError(
      `Expected \`name\` of SharedMemory to be a string like 'psm_1a2b3c4d' (or undefined with \`create: true\`), got ${describe(name)}`,
    );
  }
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (bare.length === 0 || bare.includes('/') || bare.includes('\0') || Buffer.byteLength(bare) > MAX_NAME_BYTES) {
    throw new RangeError(
      `Expected \`name\` of SharedMemory to be 1 to ${MAX_NAME_BYTES} bytes without "/" (but an optional leading one) or NUL, ` +
        `like 'psm_1a2b3c4d', got ${describe(name)}. Leave it out with \`create: true\` for a fresh one.`,
    );
  }
  return bare;
}

function checkSize(size: unknown, create: boolean): number {
  if (size === undefined) {
    if (!create) return 0;
    throw new TypeError('Expected `size` of SharedMemory to be a positive integer (bytes) with `create: true`, got `undefined`');
  }
  if (typeof size !== 'number') {
    throw new TypeError(`Expected \`size\` of SharedMemory to be a positive integer (bytes), got ${describe(size)}`);
  }
  if (!Number.isSafeInteger(size) || size < 0 || (create && size === 0)) {
    throw new RangeError(
      `Expected \`size\` of SharedMemory to be a positive integer (bytes), got ${describe(size)}` +
        (size === 0 ? ": a block cannot be empty (Python: ValueError: 'size' must be a positive number different from zero)" : ''),
    );
  }
  return size;
}

function checkBoolean(value: unknown, key: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`Expected \`${key}\` of SharedMemory to be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Fails with the reason when @mp/native cannot make segments here. */
function assertSupported(what: string): void {
  const reason = unsupportedReason();
  if (reason === undefined) return;
  let cause: unknown;
  try {
    createSegment('/mp-probe', 1); // Throws the addon's own error, kept as the cause.
  } catch (error) {
    cause = error;
  }
  throw new SharedMemoryUnsupportedError(
    `${what} needs POSIX shared memory through @mp/native, which is unavailable here: ${reason}`,
    cause instanceof NativeUnsupportedError || cause instanceof NativeNotBuiltError ? { cause } : undefined,
  );
}

/** @mp/native's EEXIST / ENOENT become CPython's FileExistsError / FileNotFoundError. */
function translate(error: unknown, name: string, what: 'create' | 'attach' | 'unlink'): unknown {
  if (!(error instanceof SegmentError)) return error;
  const details = { syscall: error.syscall, path: error.path };
  if (error.code === 'EEXIST') {
    return new FileExistsError(
      `Cannot create shared memory '${name}': a block with that name exists (${error.syscall}: EEXIST). ` +
        `Attach to it with new SharedMemory({ name: '${name}' }), pick another name, or leave \`name\` out for a fresh one.`,
      { ...details, errno: ERRNO_EEXIST },
      { cause: error },
    );
  }
  if (error.code === 'ENOENT') {
    return new FileNotFoundError(
      what === 'unlink'
        ? `Cannot unlink shared memory '${name}': no block has that name (${error.syscall}: ENOENT). It was unlinked already ` +
            '(by another handle, another program, or the resource tracker): unlink once, from one handle.'
        : `Cannot attach to shared memory '${name}': no block has that name (${error.syscall}: ENOENT). ` +
            'It was never created, or it was unlinked already; create it with `create: true` and a `size`.',
      { ...details, errno: ERRNO_ENOENT },
      { cause: error },
    );
  }
  return error;
}

/**
 * A block of shared memory known by name: any thread or process — a child, or an
 * unrelated program (Node.js or CPython) — attaches to it by that name and sees
 * the same bytes through `buf`.
 *
 * Python: `multiprocessing.shared_memory.SharedMemory(name=None, create=False, size=0, *, track=True)`.
 *
 * A POSIX shared-memory segment (`/dev/shm/<name>`, mode 0600) made by `@mp/native`:
 * Linux, with the addon built (else {@link SharedMemoryUnsupportedError}). The names are
 * CPython's, so `SharedMemory(name='psm_1a2b3c4d')` in Python attaches to the same block.
 *
 * Passed to a child (`Process` args, a queue item, a pool task), it travels by name, as
 * CPython pickles it: the child gets a `SharedMemory` attached to the same block.
 *
 * @example
 * ```ts
 * import { SharedMemory } from '@mp/shared';
 * const shm = new SharedMemory({ create: true, size: 16 });
 * shm.buf.set([1, 2, 3]);
 * const other = new SharedMemory({ name: shm.name });  // in any process
 * console.log(other.buf[2], other.size);              // 3 16
 * other.close();
 * shm.close();
 * shm.unlink();
 * ```
 */
export class SharedMemory implements Shareable, Disposable {
  static {
    defineShared<SharedMemoryState>(TYPE, (state) => {
      reviving = state;
      try {
        return new SharedMemory();
      } finally {
        reviving = undefined;
      }
    });
  }

  readonly #name: string;
  readonly #size: number;
  #buf: Uint8Array<SharedArrayBuffer> | null;
  readonly #track: boolean;

  /**
   * Creates a block, or attaches to an existing one.
   *
   * @param options - `name`, `create`, `size`, `track` (see {@link SharedMemoryOptions})
   * @throws {@link FileExistsError} creating a name that exists; {@link FileNotFoundError} attaching to one that does not
   * @throws TypeError / RangeError for a missing or malformed `name` (required unless `create`), a `size` that is not a
   * positive integer when creating, an unknown option
   * @throws {@link SharedMemoryUnsupportedError} not on Linux, or `@mp/native` not built (the message says how to build it)
   * @throws `SegmentError` (from `@mp/native`) for other failures of the system (`EACCES`, `ENOSPC`…): Python's `OSError`
   */
  constructor(options?: SharedMemoryOptions) {
    const state = reviving;
    reviving = undefined;
    const attachTo = state?.name;
    const given = checkOptions(attachTo === undefined ? options : {}, ['name', 'create', 'size', 'track'], 'SharedMemory');
    const create = checkBoolean(given.create, 'create') ?? false;
    const size = checkSize(given.size, create);
    const track = checkBoolean(given.track, 'track') ?? create;
    let name = attachTo ?? (given.name === undefined ? undefined : checkName(given.name));
    if (name === undefined && !create) {
      throw new TypeError(
        "Expected `name` of SharedMemory to attach to an existing block (new SharedMemory({ name: 'psm_1a2b3c4d' })), " +
          'got none: pass `create: true` (with a `size`) to make a new block (Python: ValueError: ' +
          "'name' can only be None if create=True)",
      );
    }
    assertSupported('SharedMemory');
    let memory: SharedArrayBuffer;
    if (name === undefined) {
      // A fresh random name, as CPython's: on the (rare) collision, draw again.
      for (;;) {
        const candidate = NAME_PREFIX + randomBytes(NAME_RANDOM_BYTES).toString('hex');
        try {
          memory = createSegment(segmentPath(candidate), size);
        } catch (error) {
          if (error instanceof SegmentError && error.code === 'EEXIST') continue;
          throw error;
        }
        name = candidate;
        break;
      }
    } else if (create) {
      try {
        memory = createSegment(segmentPath(name), size);
      } catch (error) {
        throw translate(error, name, 'create');
      }
    } else {
      try {
        memory = openSegment(segmentPath(name));
      } catch (error) {
        throw translate(error, name, 'attach');
      }
    }
    this.#name = name;
    // CPython reports os.fstat(fd).st_size, the segment's size: on Linux (tmpfs) that is
    // exactly what was asked for at creation, also when attaching (no page rounding).
    this.#size = memory.byteLength;
    this.#buf = new Uint8Array(memory);
    this.#track = track;
    // Registered after it exists, before anyone else can learn the name from us.
    if (track) trackSegment(segmentPath(name));
  }

  /**
   * The block's name, without a leading `/` (as CPython reports it): give it to
   * `new SharedMemory({ name })` elsewhere to attach.
   *
   * Python: `.name`.
   */
  get name(): string {
    return this.#name;
  }

  /**
   * The block's size in bytes: the `size` it was created with, also when attached
   * (CPython on Linux reports the segment's size, which is not rounded to pages).
   *
   * Python: `.size`.
   */
  get size(): number {
    return this.#size;
  }

  /**
   * The memory: a `Uint8Array` over the whole block, over a `SharedArrayBuffer`, so
   * other typed arrays (`new Int32Array(shm.buf.buffer)`) and `Atomics` work on it.
   *
   * Python: `.buf` (a `memoryview`).
   *
   * @throws {@link SharedMemoryClosedError} after {@link SharedMemory.close}
   */
  get buf(): Uint8Array<SharedArrayBuffer> {
    if (this.#buf === null) {
      throw new SharedMemoryClosedError(
        `${this.toString()} is closed: its buf is gone. Attach again with new SharedMemory({ name: '${this.#name}' }).`,
      );
    }
    return this.#buf;
  }

  /**
   * Closes this handle: `buf` throws from now on. The block itself stays, for other
   * handles and programs, until {@link SharedMemory.unlink}. Closing twice does nothing.
   *
   * The mapping is released once no `Uint8Array` (or other view) over it is left to the
   * garbage collector: a `SharedArrayBuffer` cannot be unmapped while a view could
   * still reach it. Drop the views you took from `buf`.
   *
   * Python: `.close()`.
   *
   * @example
   * ```ts
   * const shm = new SharedMemory({ name });
   * const first = shm.buf[0];
   * shm.close();
   * ```
   */
  close(): void {
    this.#buf = null;
  }

  /**
   * Removes the block's name, once, from one handle (usually the creator's): nobody
   * can attach any more, and the memory is freed once every handle has gone. Handles
   * already attached keep working. Also tells the resource tracker to forget it.
   *
   * Python: `.unlink()`.
   *
   * @throws {@link FileNotFoundError} when the block was unlinked already
   * @example
   * ```ts
   * const shm = new SharedMemory({ create: true, size: 1024 });
   * // … children use it …
   * shm.close();
   * shm.unlink();
   * ```
   */
  unlink(): void {
    const path = segmentPath(this.#name);
    let removed: boolean;
    try {
      removed = unlinkSegment(path);
    } catch (error) {
      throw translate(error, this.#name, 'unlink');
    }
    if (this.#track) untrackSegment(path);
    if (!removed) {
      throw new FileNotFoundError(
        `Cannot unlink shared memory '${this.#name}': no block has that name (shm_unlink: ENOENT). It was unlinked already ` +
          '(by another handle, another program, or the resource tracker): unlink once, from one handle.',
        { errno: ERRNO_ENOENT, syscall: 'shm_unlink', path },
      );
    }
  }

  /**
   * `using shm = new SharedMemory({ name })` closes the handle at the end of the
   * scope (it does not unlink: unlinking is for the one handle that owns the block).
   *
   * Python: none (`SharedMemoryManager` is the context manager; `with` closes a handle in spirit).
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Travels by name, as CPython pickles it: the receiver attaches to the same block. */
  [share](): SharedState {
    return { type: TYPE, module: import.meta.url, state: { name: this.#name } satisfies SharedMemoryState };
  }

  /** Python's repr: `SharedMemory('psm_1a2b3c4d', size=16)`. */
  toString(): string {
    return `SharedMemory('${this.#name}', size=${this.#size})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
