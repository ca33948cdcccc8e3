// Hang guards: nothing the bench waits for may wait forever.

/**
 * Settles like `promise`, or rejects after `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what - named in the error
 * @returns {Promise<T>}
 */
export function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}

/** How long one clean-up step (terminating a pool, killing children) may take. */
export const CLEANUP_TIMEOUT_MS = 15_000;

/**
 * Runs a clean-up step; a failure or a hang is reported on stderr and otherwise ignored,
 * so that one stuck pool cannot stop the bench from reporting.
 * @param {string} what
 * @param {() => unknown} step
 */
export async function cleanUp(what, step) {
  try {
    await withTimeout(Promise.resolve().then(step), CLEANUP_TIMEOUT_MS, `clean-up: ${what}`);
  } catch (error) {
    process.stderr.write(`warning: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
