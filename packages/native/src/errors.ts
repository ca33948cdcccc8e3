/**
 * Raised when cross-process shared memory is used on a platform other than Linux:
 * the addon needs POSIX shared memory in `/dev/shm` and the `futex` system call.
 *
 * Python: none (CPython's `multiprocessing.shared_memory` also runs on macOS and
 * Windows; this package covers Linux only).
 *
 * @example
 * ```ts
 * import { createSegment, segmentName } from '@mp/native';
 * createSegment(segmentName(), 4096);
 * // on macOS: NativeUnsupportedError: Cross-process shared memory needs Linux…
 * ```
 */
export class NativeUnsupportedError extends Error {
  /** Stable code, usable where prototypes do not survive (across threads or processes). */
  readonly code: 'ERR_MP_NATIVE_UNSUPPORTED' = 'ERR_MP_NATIVE_UNSUPPORTED';

  constructor(message: string) {
    super(message);
    this.name = 'NativeUnsupportedError';
  }
}

/**
 * Raised when no addon binary serves the running Node.js: none for this platform
 * and Node ABI (the package ships prebuilt binaries for linux-x64 and linux-arm64,
 * Node 20, 22 and 24), one built for another ABI, or one that fails to load. The
 * message names the platform and ABI, and the one command that builds a binary.
 *
 * Python: none (CPython's `_posixshmem` is compiled with the interpreter).
 *
 * @example
 * ```ts
 * try { createSegment(segmentName(), 4096); }
 * catch (error) {
 *   if (error instanceof NativeNotBuiltError) console.error(error.message); // "…run `node /…/@mp/native/scripts/build.mjs`…"
 * }
 * ```
 */
export class NativeNotBuiltError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_NATIVE_NOT_BUILT' = 'ERR_MP_NATIVE_NOT_BUILT';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NativeNotBuiltError';
  }
}

/**
 * Raised when the operating system refuses a segment operation. `code` is the
 * errno name, as in `node:fs` errors: `'EEXIST'` (the name is taken), `'ENOENT'`
 * (no such segment), `'EACCES'`, `'EMFILE'`, `'ENOMEM'`, `'ENOSPC'`…; `errno` is
 * the negative errno, `syscall` the failing call, `path` the segment name.
 *
 * Python: `FileExistsError`, `FileNotFoundError`, `PermissionError` and the other
 * `OSError`s raised by `multiprocessing.shared_memory.SharedMemory`.
 *
 * @example
 * ```ts
 * try { openSegment('/mp-gone'); }
 * catch (error) { if (error instanceof SegmentError && error.code === 'ENOENT') console.log('already unlinked'); }
 * ```
 */
export class SegmentError extends Error {
  /** The errno name: `'EEXIST'`, `'ENOENT'`, … */
  readonly code: string;
  /** The negative errno, as in `node:fs` errors. */
  readonly errno: number;
  /** The system call that failed: `'shm_open'`, `'ftruncate'`, `'mmap'`, `'shm_unlink'`. */
  readonly syscall: string;
  /** The segment's name. */
  readonly path: string;

  constructor(message: string, details: { code: string; errno: number; syscall: string; path: string }, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SegmentError';
    this.code = details.code;
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
  }
}
