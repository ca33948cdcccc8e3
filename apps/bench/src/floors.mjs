// Starting the raw workers of src/floors/worker.mjs inside a repetition.
import { Worker } from 'node:worker_threads';

const WORKER = new URL('./floors/worker.mjs', import.meta.url);

/**
 * Starts a raw worker thread in `role`; `result` settles with its first message, or
 * rejects if it fails or exits before sending one. The scope terminates it.
 * @param {import('./scope.mjs').Scope} scope
 * @param {Record<string, unknown>} data - workerData: role, n, port, shared…
 * @param {import('node:worker_threads').Transferable[]} [transfer]
 * @returns {{ worker: Worker, result: Promise<unknown> }}
 */
export function startFloor(scope, data, transfer = []) {
  const worker = new Worker(WORKER, { workerData: data, transferList: /** @type {never} */ (transfer) });
  scope.defer(() => worker.terminate());
  const result = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`floor worker '${String(data['role'])}' exited (code ${code}) before reporting`)));
  });
  // Settled by whichever comes first; an unobserved rejection must not end the bench.
  result.catch(() => {});
  return { worker, result };
}

/**
 * Waits for the first message of each worker.
 * @param {{ result: Promise<unknown> }[]} workers
 */
export function results(workers) {
  return Promise.all(workers.map((w) => w.result));
}

/**
 * Waits, without blocking the event loop, until `view[index] >= value`, with raw
 * `Atomics.waitAsync` — what the floor's workers notify with `Atomics.notify`.
 * (@mp/core's waitAsync may be a futex wait, which V8's notify does not wake.) A
 * ref'd timer keeps the event loop alive meanwhile: a pending Atomics.waitAsync does not.
 * @param {Int32Array} view
 * @param {number} index
 * @param {number} value
 */
export async function rawWaitUntilAtLeast(view, index, value) {
  const alive = setInterval(() => {}, 1 << 30);
  try {
    for (let seen = Atomics.load(view, index); seen < value; seen = Atomics.load(view, index)) {
      const wait = Atomics.waitAsync(view, index, seen);
      if (wait.async) await wait.value;
    }
  } finally {
    clearInterval(alive);
  }
}
