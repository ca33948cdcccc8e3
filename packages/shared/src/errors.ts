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
