/**
 * A held lock or semaphore, released when the scope that holds it ends —
 * Python's `with lock:`. Returned by `holdSync()` (for `using`) and `hold()`
 * (for `await using`). Disposing it more than once releases once.
 *
 * @example
 * ```ts
 * {
 *   using _ = lock.holdSync();
 *   counter[0]++;
 * } // released here, even if the block threw
 * ```
 */
export interface Held extends Disposable, AsyncDisposable {}
