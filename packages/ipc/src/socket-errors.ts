/**
 * The errors of socket connections ({@link Listener}, {@link Client}). Each has
 * a stable `code`: recognise them by `code` (or `name`) as well as by
 * `instanceof`.
 *
 * @module
 */

/**
 * Raised when the authkey check between a {@link Listener} and a
 * {@link Client} fails: a different key, or a peer that does not answer the
 * challenge (it sent something else, or too much). Both sides raise it, and
 * the connection is closed; nothing the peer sent was decoded.
 *
 * Python: `multiprocessing.AuthenticationError`.
 *
 * @example
 * ```ts
 * try { await Client(address, { authkey: wrongKey }); }
 * catch (error) { if (error instanceof AuthenticationError) console.log('wrong key'); }
 * ```
 */
export class AuthenticationError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_AUTHENTICATION' = 'ERR_MP_AUTHENTICATION';

  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/**
 * Raised when a socket connection receives a frame whose header announces more
 * bytes than its `maxMessageBytes`. The connection is closed: a stream whose
 * framing cannot be trusted cannot go on.
 *
 * Python: has no limit (it reads what the header says).
 *
 * @example
 * ```ts
 * const conn = await Client(address, { maxMessageBytes: 1024 });
 * await conn.recv(); // MessageTooLongError when the peer sends more than 1 KiB
 * ```
 */
export class MessageTooLongError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_MESSAGE_TOO_LONG' = 'ERR_MP_MESSAGE_TOO_LONG';

  constructor(message: string) {
    super(message);
    this.name = 'MessageTooLongError';
  }
}

/**
 * Raised by `recv()` of a socket connection when a message is not a
 * `v8.serialize` form of plain data (the frame is consumed; the connection
 * goes on), and when a frame header is impossible (then the connection is closed).
 *
 * Python: `pickle.UnpicklingError`, `OSError("bad message length")`.
 *
 * @example
 * ```ts
 * peer.sendBytes(new Uint8Array([1, 2, 3]));
 * await conn.recv(); // BadMessageError: use recvBytes() for raw bytes
 * ```
 */
export class BadMessageError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_BAD_MESSAGE' = 'ERR_MP_BAD_MESSAGE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BadMessageError';
  }
}
