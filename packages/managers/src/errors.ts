/**
 * An error raised in the manager process while it ran a method for a proxy
 * (or created an object), brought to the caller. The remote error's name,
 * message and stack are kept: `remoteName`, `remoteMessage`, `remoteStack`;
 * `stack` shows the caller's stack, then the manager's.
 *
 * Errors of @mp's own conditions (`EmptyError`, `FullError`,
 * `BrokenBarrierError`, `OverReleaseError`, `NotOwnerError`, `TimeoutError`)
 * reach the caller as those classes instead, with this error as their `cause`,
 * so that `catch (e) { if (e instanceof EmptyError) … }` reads as with the
 * local objects.
 *
 * Python: `multiprocessing.managers.RemoteError` (and a re-raised exception of
 * the referent).
 *
 * @example
 * ```ts
 * try {
 *   await list.get(10);
 * } catch (error) {
 *   if (error instanceof RemoteError) console.log(error.remoteName, error.remoteMessage); // IndexError list index out of range
 * }
 * ```
 */
export class RemoteError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_REMOTE' = 'ERR_MP_REMOTE';
  /** The `name` of the error in the manager (`TypeError`, `IndexError`, a user class's name). */
  readonly remoteName: string;
  /** The `message` of the error in the manager. */
  readonly remoteMessage: string;
  /** The stack of the error in the manager (`''` when it had none). */
  readonly remoteStack: string;
  /** The `code` of the error in the manager, when it had a string one. */
  readonly remoteCode: string | undefined;

  /**
   * @param remote - the remote error's name, message, stack and code
   */
  constructor(remote: { name: string; message: string; stack: string; code?: string | undefined }) {
    super(`${remote.name}: ${remote.message} (raised in the manager process)`);
    this.name = 'RemoteError';
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
    this.remoteStack = remote.stack;
    this.remoteCode = remote.code;
    if (remote.stack) this.stack = `${this.stack}\n    --- in the manager process ---\n${remote.stack}`;
  }
}

/**
 * A manager used in a state that does not allow the call: `start()` twice,
 * a proxy or `dict()` before `start()`/`connect()`, anything after
 * `shutdown()`, or a manager whose process is gone (a proxy then names its
 * address).
 *
 * Python: `multiprocessing.ProcessError` ("Already started server", "Manager
 * has not been started"), and the `ConnectionRefusedError`/`EOFError` of a proxy
 * whose manager has shut down.
 *
 * @example
 * ```ts
 * await manager.shutdown();
 * await dict.get('a'); // ManagerStateError: the manager at … has shut down …
 * ```
 */
export class ManagerStateError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_MANAGER_STATE' = 'ERR_MP_MANAGER_STATE';

  /**
   * @param message - what was wrong, and what to do
   * @param options - `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ManagerStateError';
  }
}
