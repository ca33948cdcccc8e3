/**
 * Raised when a wait with a timeout runs out: `AsyncResult.get(timeout)` and the
 * other waits that report a timeout as an error rather than as `false`.
 *
 * Python: `multiprocessing.TimeoutError`.
 *
 * @example
 * ```ts
 * try { await result.get(1_000); }
 * catch (error) { if (error instanceof TimeoutError) console.log('still running'); }
 * ```
 */
export class TimeoutError extends Error {
  /** Stable code, usable where prototypes do not survive (across threads or processes). */
  readonly code: 'ERR_MP_TIMEOUT' = 'ERR_MP_TIMEOUT';

  constructor(message = 'Timed out', options?: ErrorOptions) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/**
 * Raised when a process object is used in a way its state does not allow:
 * starting it twice, closing it while it runs, joining it before it started.
 *
 * Python: the `AssertionError` / `ValueError` raised by `multiprocessing.Process`.
 *
 * @example
 * ```ts
 * p.start();
 * p.start(); // ProcessStateError: cannot start a process twice
 * ```
 */
export class ProcessStateError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_PROCESS_STATE' = 'ERR_MP_PROCESS_STATE';

  constructor(message: string) {
    super(message);
    this.name = 'ProcessStateError';
  }
}

/**
 * Raised when an argument, queue item or message cannot travel to another
 * thread or process (a function, a socket…). The message names the offending value.
 *
 * Python: the `PicklingError` raised by `pickle`.
 *
 * @example
 * ```ts
 * new Process({ target: work, args: [() => 1] }).start();
 * // DataCloneError: args[0] cannot be sent to a child: functions cannot be cloned…
 * ```
 */
export class DataCloneError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_DATA_CLONE' = 'ERR_MP_DATA_CLONE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataCloneError';
  }
}

/**
 * Raised when a feature does not work under the start method in use; the
 * message names the start method and what to do instead.
 *
 * Python: has no equivalent (every start method supports everything there).
 *
 * @example
 * ```ts
 * new Process({ target: work, args: [new Lock()], context: 'process' }).start();
 * // StartMethodError: … cannot be passed to a child started with the 'process' start method …
 * ```
 */
export class StartMethodError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_START_METHOD' = 'ERR_MP_START_METHOD';

  constructor(message: string) {
    super(message);
    this.name = 'StartMethodError';
  }
}
