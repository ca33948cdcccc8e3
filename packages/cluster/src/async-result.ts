import { inspect } from 'node:util';
import { TimeoutError } from '@mp/core';
import { describe } from '@mp/core/internal';
import { ResultNotReadyError, type AsyncResultCallbacks } from '@mp/pool';

/** Settles a result (package-private; later calls are ignored). */
export let settle: <R>(result: AsyncResult<R>, ok: boolean, value: unknown) => void;

/**
 * The result of work submitted with `applyAsync`, `mapAsync` or
 * `starmapAsync` to a cluster pool; the same API as `@mp/pool`'s. A failure
 * nobody asks for is not an unhandled rejection.
 *
 * Python: `ray.util.multiprocessing.pool.AsyncResult` (`multiprocessing.pool.AsyncResult`).
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(square, [10]);
 * console.log(await result.get(5_000)); // 100
 * ```
 */
export class AsyncResult<R> implements PromiseLike<R> {
  #outcome: { ok: boolean; value: unknown } | undefined;
  #callbacks: AsyncResultCallbacks<R> | undefined;
  readonly #settled: Promise<void>;
  #wake!: () => void;

  static {
    settle = (result, ok, value) => result.#settle(ok, value);
  }

  /**
   * Made by the pool; a result created by hand never becomes ready.
   *
   * @param callbacks - called once when the result is settled
   */
  constructor(callbacks?: AsyncResultCallbacks<R>) {
    this.#callbacks = callbacks;
    this.#settled = new Promise((resolve) => (this.#wake = resolve));
  }

  #settle(ok: boolean, value: unknown): void {
    if (this.#outcome) return;
    this.#outcome = { ok, value };
    const callback = ok ? this.#callbacks?.callback : this.#callbacks?.errorCallback;
    this.#callbacks = undefined;
    try {
      (callback as ((value: unknown) => void) | undefined)?.(value);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
    this.#wake();
  }

  async #waitReady(timeout: number | undefined): Promise<boolean> {
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new TypeError(`Expected \`timeout\` to be a number of milliseconds ≥ 0, got ${describe(timeout)}`);
    }
    if (this.#outcome) return true;
    if (timeout === undefined || timeout === Infinity) {
      await this.#settled;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeout, false)));
    try {
      return await Promise.race([this.#settled.then(() => true), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits for the result.
   *
   * Python: `AsyncResult.get(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns the task's result (for `mapAsync`, the list)
   * @throws `TimeoutError` (as a rejection) when not ready in time; the task's own error (remote name, message,
   *   stack and `host`); TypeError for a bad timeout
   * @example
   * ```ts
   * const value = await pool.applyAsync(square, [10]).get(5_000);
   * ```
   */
  async get(timeout?: number): Promise<R> {
    if (!(await this.#waitReady(timeout))) {
      throw new TimeoutError(`The result was not ready within ${timeout} ms: call get() again to keep waiting, or get() without a timeout`);
    }
    if (!this.#outcome!.ok) throw this.#outcome!.value;
    return this.#outcome!.value as R;
  }

  /**
   * Makes the result awaitable: `await result` is `await result.get()`.
   *
   * Python: none.
   *
   * @param onfulfilled - called with the result
   * @param onrejected - called with the task's error
   * @returns a promise of what the callback returns
   * @example
   * ```ts
   * const all = await Promise.all([1, 2, 3].map((n) => pool.applyAsync(square, [n])));
   * ```
   */
  then<T1 = R, T2 = never>(onfulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    return this.get().then(onfulfilled, onrejected);
  }

  /**
   * Waits until the result is ready or `timeout` ms passed; never rejects for a failed task.
   *
   * Python: `AsyncResult.wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise resolved when ready or at the timeout
   * @throws TypeError (as a rejection) for a bad timeout
   * @example
   * ```ts
   * await result.wait(100);
   * ```
   */
  async wait(timeout?: number): Promise<void> {
    await this.#waitReady(timeout);
  }

  /**
   * Whether the work has finished, successfully or not.
   *
   * Python: `AsyncResult.ready()`.
   *
   * @returns true once the result (or error) is in
   * @example
   * ```ts
   * if (result.ready()) console.log(await result.get());
   * ```
   */
  ready(): boolean {
    return this.#outcome !== undefined;
  }

  /**
   * Whether the work finished without an error.
   *
   * Python: `AsyncResult.successful()`.
   *
   * @returns true when it succeeded
   * @throws `ResultNotReadyError` when the result is not ready yet
   * @example
   * ```ts
   * await result.wait();
   * console.log(result.successful());
   * ```
   */
  successful(): boolean {
    if (!this.#outcome) throw new ResultNotReadyError('The result is not ready: wait() for it before asking whether it was successful');
    return this.#outcome.ok;
  }

  /**
   * The repr: `<AsyncResult pending>`, `<AsyncResult ready successful>`, `<AsyncResult ready failed>`.
   *
   * @example
   * ```ts
   * console.log(String(result)); // <AsyncResult pending>
   * ```
   */
  toString(): string {
    return `<AsyncResult ${!this.#outcome ? 'pending' : this.#outcome.ok ? 'ready successful' : 'ready failed'}>`;
  }

  /** `util.inspect` shows the repr too. */
  [inspect.custom](): string {
    return this.toString();
  }
}
