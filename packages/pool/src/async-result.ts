import { inspect } from 'node:util';
import { TimeoutError } from '@mp/core';
import { ResultNotReadyError } from './errors.js';
import { after, toTimeout } from './internal/timeout.js';

/** The callbacks of `applyAsync`, `mapAsync` and `starmapAsync`. */
export interface AsyncResultCallbacks<R> {
  /** Called once with the result when the work succeeds, before `get()` resolves. */
  callback?: ((value: R) => void) | undefined;
  /** Called once with the error when the work fails, before `get()` rejects. */
  errorCallback?: ((error: unknown) => void) | undefined;
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/**
 * Settles an {@link AsyncResult} (package-private: the pool calls it once per
 * result; later calls are ignored).
 */
export let settleResult: <R>(result: AsyncResult<R>, ok: boolean, value: unknown) => void;

/**
 * The result of work submitted with `applyAsync`, `mapAsync` or
 * `starmapAsync`. It holds its outcome without an attached promise, so a
 * failure nobody asks for is not an unhandled rejection.
 *
 * Python: `multiprocessing.pool.AsyncResult`.
 *
 * @example
 * ```ts
 * const result = pool.applyAsync(square, [10]);
 * console.log(await result.get(1_000)); // 100
 * ```
 */
export class AsyncResult<R> implements PromiseLike<R> {
  #state: typeof PENDING | typeof FULFILLED | typeof REJECTED = PENDING;
  #value: unknown;
  readonly #waiters = new Set<() => void>();
  /** Resolved when the result is settled; made on the first wait without a timeout (the common case: one promise, no timer). */
  #settled: Promise<boolean> | undefined;
  #resolveSettled: ((ready: boolean) => void) | undefined;
  #callbacks: AsyncResultCallbacks<R> | undefined;

  static {
    settleResult = (result, ok, value) => result.#settle(ok, value);
  }

  /**
   * Made by the pool; a result created by hand never becomes ready.
   *
   * @param callbacks - called once when the result is settled
   */
  constructor(callbacks?: AsyncResultCallbacks<R>) {
    this.#callbacks = callbacks;
  }

  #settle(ok: boolean, value: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = ok ? FULFILLED : REJECTED;
    this.#value = value;
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    const callback = ok ? callbacks?.callback : callbacks?.errorCallback;
    if (callback) {
      try {
        (callback as (value: unknown) => void)(value);
      } catch (error) {
        // As an error thrown by an event listener: an uncaught exception, not a silent loss.
        process.nextTick(() => {
          throw error;
        });
      }
    }
    this.#resolveSettled?.(true);
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Resolves true once ready, or false when `timeout` ms passed first. */
  #waitReady(timeout: unknown): Promise<boolean> {
    const ms = toTimeout(timeout);
    if (this.#state !== PENDING) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    if (ms === undefined) return (this.#settled ??= new Promise((resolve) => (this.#resolveSettled = resolve)));
    return new Promise((resolve) => {
      let cancel = () => {};
      const wake = () => {
        cancel();
        resolve(true);
      };
      this.#waiters.add(wake);
      cancel = after(ms, () => {
        this.#waiters.delete(wake);
        resolve(false);
      });
    });
  }

  /**
   * Waits for the result.
   *
   * Python: `AsyncResult.get(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit, `0` does not wait
   * @returns the task's result (for `mapAsync`, the list of results)
   * @throws `TimeoutError` (as a rejection) when the result is not ready in time;
   *   the task's own error when it failed (with the worker's stack); TypeError for a bad timeout
   * @example
   * ```ts
   * const value = await pool.applyAsync(square, [10]).get(1_000);
   * ```
   */
  async get(timeout?: number): Promise<R> {
    if (!(await this.#waitReady(timeout))) {
      throw new TimeoutError(`The result was not ready within ${toTimeout(timeout)} ms: call get() again to keep waiting, or get() without a timeout`);
    }
    if (this.#state === REJECTED) throw this.#value;
    return this.#value as R;
  }

  /**
   * Makes the result awaitable (`PromiseLike`): `await result` is `await
   * result.get()`, and `Promise.all(results)` works. Like `get()`, it asks for
   * the outcome: a failure is a rejection of the promise it returns, so a result
   * nobody awaits is never an unhandled rejection.
   *
   * Python: none (`AsyncResult` is not awaitable; `asyncio.wrap_future` is the nearest).
   *
   * @param onfulfilled - called with the result
   * @param onrejected - called with the task's error
   * @returns a promise of what the callback returns
   * @example
   * ```ts
   * const nine = await pool.applyAsync(square, [3]);
   * const all = await Promise.all([1, 2, 3].map((n) => pool.applyAsync(square, [n]))); // [1, 4, 9]
   * ```
   */
  then<T1 = R, T2 = never>(
    onfulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.get().then(onfulfilled, onrejected);
  }

  /**
   * Waits until the result is ready or `timeout` ms passed; never rejects for a
   * failed task.
   *
   * Python: `AsyncResult.wait(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @returns a promise resolved when ready or at the timeout (check {@link AsyncResult.ready})
   * @throws TypeError (as a rejection) for a bad timeout
   * @example
   * ```ts
   * await result.wait(100);
   * if (!result.ready()) console.log('still working');
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
    return this.#state !== PENDING;
  }

  /**
   * Whether the work finished without an error.
   *
   * Python: `AsyncResult.successful()`.
   *
   * @returns true when it succeeded
   * @throws {@link ResultNotReadyError} when the result is not ready yet
   * @example
   * ```ts
   * await result.wait();
   * console.log(result.successful());
   * ```
   */
  successful(): boolean {
    if (this.#state === PENDING) throw new ResultNotReadyError('The result is not ready: wait() for it before asking whether it was successful');
    return this.#state === FULFILLED;
  }

  /**
   * A repr in Python's style, with the state: `<AsyncResult pending>`, `<AsyncResult ready successful>`,
   * `<AsyncResult ready failed>`.
   *
   * @example
   * ```ts
   * console.log(String(result)); // <AsyncResult pending>
   * ```
   */
  toString(): string {
    return `<AsyncResult ${this.#state === PENDING ? 'pending' : this.#state === FULFILLED ? 'ready successful' : 'ready failed'}>`;
  }

  /** `util.inspect` (and so `console.log(result)`) shows the repr too. */
  [inspect.custom](): string {
    return this.toString();
  }
}
