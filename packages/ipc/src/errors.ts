/**
 * The errors of `@mp/ipc`. Each has a stable `code`: prototypes do not survive
 * postMessage or IPC, so recognise them by `code` (or `name`) as well as by
 * `instanceof`.
 *
 * @module
 */

/**
 * Raised by `get` with a timeout, `getNowait`, when no item arrived in time.
 *
 * Python: `queue.Empty`.
 *
 * @example
 * ```ts
 * try { q.getNowait(); }
 * catch (error) { if (error instanceof EmptyError) console.log('nothing yet'); }
 * ```
 */
export class EmptyError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_QUEUE_EMPTY' = 'ERR_MP_QUEUE_EMPTY';

  constructor(message: string) {
    super(message);
    this.name = 'EmptyError';
  }
}

/**
 * Raised by `put` with a timeout, `putNowait`, when a bounded queue stayed full.
 *
 * Python: `queue.Full`.
 *
 * @example
 * ```ts
 * const q = new Queue(1);
 * q.putNowait(1);
 * q.putNowait(2); // FullError
 * ```
 */
export class FullError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_QUEUE_FULL' = 'ERR_MP_QUEUE_FULL';

  constructor(message: string) {
    super(message);
    this.name = 'FullError';
  }
}

/**
 * Raised by `recv` / `recvBytes` when every copy of the other end of the pipe
 * is closed and nothing is left to read.
 *
 * Python: `EOFError`.
 *
 * @example
 * ```ts
 * const [a, b] = Pipe();
 * b.close();
 * await a.recv(); // EOFError
 * ```
 */
export class EOFError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_EOF' = 'ERR_MP_EOF';

  constructor(message: string) {
    super(message);
    this.name = 'EOFError';
  }
}

/**
 * Raised when a queue or connection object is used after its `close()`.
 *
 * Python: the `ValueError("Queue … is closed")` of a queue, the
 * `OSError("handle is closed")` of a connection.
 *
 * @example
 * ```ts
 * q.close();
 * q.putSync(1); // ClosedError: Queue is closed…
 * ```
 */
export class ClosedError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_CLOSED' = 'ERR_MP_CLOSED';

  constructor(message: string) {
    super(message);
    this.name = 'ClosedError';
  }
}

/**
 * Raised when a connection of a one-way pipe (`Pipe(false)`) is used in the
 * other direction: sending on the receive-only end, receiving on the send-only end.
 *
 * Python: `OSError("connection is read-only")` / `OSError("connection is write-only")`.
 *
 * @example
 * ```ts
 * const [reader, writer] = Pipe(false);
 * reader.send(1); // DirectionError: connection is read-only…
 * ```
 */
export class DirectionError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_DIRECTION' = 'ERR_MP_DIRECTION';

  constructor(message: string) {
    super(message);
    this.name = 'DirectionError';
  }
}

/**
 * Raised by `send` / `sendBytes` when every copy of the other end is closed:
 * nobody can ever read the message.
 *
 * Python: `BrokenPipeError`.
 *
 * @example
 * ```ts
 * const [a, b] = Pipe();
 * b.close();
 * a.send(1); // BrokenPipeError
 * ```
 */
export class BrokenPipeError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_BROKEN_PIPE' = 'ERR_MP_BROKEN_PIPE';

  constructor(message: string) {
    super(message);
    this.name = 'BrokenPipeError';
  }
}

/**
 * Raised by `recvBytes(maxLength)` when the next message is longer than
 * `maxLength`. The message stays in the pipe.
 *
 * Python: `OSError("bad message length")`.
 *
 * @example
 * ```ts
 * a.sendBytes(new Uint8Array(10));
 * await b.recvBytes(4); // BadMessageLengthError
 * ```
 */
export class BadMessageLengthError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_BAD_MESSAGE_LENGTH' = 'ERR_MP_BAD_MESSAGE_LENGTH';

  constructor(message: string) {
    super(message);
    this.name = 'BadMessageLengthError';
  }
}

/**
 * Raised by `JoinableQueue.taskDone()` called more times than items were put.
 *
 * Python: `ValueError("task_done() called too many times")`.
 *
 * @example
 * ```ts
 * const q = new JoinableQueue();
 * q.taskDone(); // TaskDoneError: task_done() called too many times…
 * ```
 */
export class TaskDoneError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_TASK_DONE' = 'ERR_MP_TASK_DONE';

  constructor(message: string) {
    super(message);
    this.name = 'TaskDoneError';
  }
}
