import { SegmentError } from '@mp/native';

/**
 * Raised for a typecode that is not one of {@link TYPECODES}, or that the
 * operation does not support (an atomic helper on a float typecode). The
 * message names the typecode.
 *
 * Python: the `TypeError` ("this type has no size") of `Value('x', 0)`.
 *
 * @example
 * ```ts
 * new Value('x' as never, 0);
 * // TypecodeError: Unknown typecode 'x': expected one of 'b', 'B', 'h', … or a ctypes name such as 'c_int'
 * ```
 */
export class TypecodeError extends TypeError {
  /** Stable code, usable where prototypes do not survive (across threads or processes). */
  readonly code: 'ERR_MP_TYPECODE' = 'ERR_MP_TYPECODE';

  constructor(message: string) {
    super(message);
    this.name = 'TypecodeError';
  }
}

/**
 * Raised for an index outside a shared array. The message names the index,
 * the typecode and the length.
 *
 * Python: `IndexError: invalid index`.
 *
 * @example
 * ```ts
 * new SharedArray('i', 3).get(3);
 * // IndexError: Index 3 is out of range for a SharedArray('i') of length 3: use -3 … 2
 * ```
 */
export class IndexError extends RangeError {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_INDEX' = 'ERR_MP_INDEX';

  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

/**
 * Raised by `getLock()` on a {@link Value} or {@link SharedArray} created with
 * `{ lock: false }`: it has no lock to give.
 *
 * Python: the `AttributeError` of `Value('i', 0, lock=False).get_lock()`.
 *
 * @example
 * ```ts
 * new Value('i', 0, { lock: false }).getLock();
 * // NoLockError: This Value('i') was created with { lock: false } and has no lock: …
 * ```
 */
export class NoLockError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_NO_LOCK' = 'ERR_MP_NO_LOCK';

  constructor(message: string) {
    super(message);
    this.name = 'NoLockError';
  }
}

/**
 * Raised by `new SharedMemory({ name, create: true })` (and `new ShareableList(items, { name })`)
 * when a shared memory block with that name exists already. A `SegmentError` of
 * `@mp/native` with `code` `'EEXIST'`, `errno` -17, `syscall` `'shm_open'` and `path`
 * the segment's name (`'/' + name`), as `node:fs` errors.
 *
 * Python: `FileExistsError: [Errno 17] File exists: '/psm_…'`.
 *
 * @example
 * ```ts
 * const a = new SharedMemory({ name: 'my-block', create: true, size: 16 });
 * new SharedMemory({ name: 'my-block', create: true, size: 16 });
 * // FileExistsError: Cannot create shared memory 'my-block': a block with that name exists. …
 * ```
 */
export class FileExistsError extends SegmentError {
  /** The errno name, as in `node:fs` errors. */
  declare readonly code: 'EEXIST';

  constructor(message: string, details: { errno: number; syscall: string; path: string }, options?: ErrorOptions) {
    super(message, { ...details, code: 'EEXIST' }, options);
    this.name = 'FileExistsError';
  }
}

/**
 * Raised by `new SharedMemory({ name })` (and `new ShareableList(null, { name })`)
 * when no shared memory block has that name, and by `unlink()` of a block
 * unlinked already. A `SegmentError` of `@mp/native` with `code` `'ENOENT'`,
 * `errno` -2, `syscall` (`'shm_open'` / `'shm_unlink'`) and `path`.
 *
 * Python: `FileNotFoundError: [Errno 2] No such file or directory: '/psm_…'`.
 *
 * @example
 * ```ts
 * new SharedMemory({ name: 'never-made' });
 * // FileNotFoundError: Cannot attach to shared memory 'never-made': no block has that name. …
 * ```
 */
export class FileNotFoundError extends SegmentError {
  /** The errno name, as in `node:fs` errors. */
  declare readonly code: 'ENOENT';

  constructor(message: string, details: { errno: number; syscall: string; path: string }, options?: ErrorOptions) {
    super(message, { ...details, code: 'ENOENT' }, options);
    this.name = 'FileNotFoundError';
  }
}

/**
 * Raised by `SharedMemory` and `ShareableList` where named shared memory is
 * unavailable: not Linux, or the `@mp/native` addon not built for this Node.js.
 * The message is `@mp/native`'s `unsupportedReason()`: the cause and the command
 * that fixes it; `cause` is `@mp/native`'s own error.
 *
 * Python: none (CPython always has `multiprocessing.shared_memory`).
 *
 * @example
 * ```ts
 * new SharedMemory({ create: true, size: 16 });
 * // on macOS: SharedMemoryUnsupportedError: SharedMemory needs POSIX shared memory through @mp/native,
 * //           which is unavailable here: Cross-process shared memory needs Linux…
 * ```
 */
export class SharedMemoryUnsupportedError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_SHARED_MEMORY_UNSUPPORTED' = 'ERR_MP_SHARED_MEMORY_UNSUPPORTED';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SharedMemoryUnsupportedError';
  }
}

/**
 * Raised when `buf` of a `SharedMemory` (or an item of a `ShareableList` over it)
 * is used after `close()`.
 *
 * Python: after `shm.close()`, `shm.buf` is `None` (and using it raises `TypeError`).
 *
 * @example
 * ```ts
 * shm.close();
 * shm.buf; // SharedMemoryClosedError: SharedMemory('psm_1a2b3c4d') is closed…
 * ```
 */
export class SharedMemoryClosedError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_SHARED_MEMORY_CLOSED' = 'ERR_MP_SHARED_MEMORY_CLOSED';

  constructor(message: string) {
    super(message);
    this.name = 'SharedMemoryClosedError';
  }
}

/**
 * Raised by a `ShareableList` write of a string or bytes longer than its slot:
 * a slot's size is fixed when the list is made (the item's UTF-8 length rounded
 * up to the next multiple of 8, at least one byte more).
 *
 * Python: `ValueError: bytes/str item exceeds available storage`.
 *
 * @example
 * ```ts
 * const list = new ShareableList(['abc']);   // an 8-byte slot
 * list[0] = 'a much longer string';
 * // SlotOverflowError: Cannot store 20 bytes in item 0 of ShareableList 'psm_…': its slot holds 8 bytes…
 * ```
 */
export class SlotOverflowError extends RangeError {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_SLOT_OVERFLOW' = 'ERR_MP_SLOT_OVERFLOW';

  constructor(message: string) {
    super(message);
    this.name = 'SlotOverflowError';
  }
}

/**
 * Raised by `ShareableList.index(value)` when no item equals `value`.
 *
 * Python: `ValueError: … not in this container`.
 *
 * @example
 * ```ts
 * new ShareableList([1, 2]).index(3);
 * // NotInListError: 3 is not in ShareableList 'psm_…'
 * ```
 */
export class NotInListError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_NOT_IN_LIST' = 'ERR_MP_NOT_IN_LIST';

  constructor(message: string) {
    super(message);
    this.name = 'NotInListError';
  }
}
