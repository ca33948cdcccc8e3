// The Node.js worker pools beside @mp/pool: piscina, tinypool and workerpool, behind
// one small interface. Their workers run src/targets/square.mjs, as @mp/pool's do.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';

const TASKS = new URL('../targets/square.mjs', import.meta.url);
const SPIN = new URL('./spin.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = fileURLToPath(new URL('./workerpool-worker.mjs', import.meta.url));

/** @typedef {'piscina' | 'tinypool' | 'workerpool'} PeerName */

/** @type {readonly PeerName[]} */
export const PEERS = ['piscina', 'tinypool', 'workerpool'];

/**
 * @typedef {object} PeerPool
 * @property {(fn: 'square' | 'squareChunk', arg: unknown) => Promise<unknown>} run
 * @property {(signal: AbortSignal) => Promise<unknown>} spin - runs spin.mjs's `spin` until `signal` aborts it (the peer's own cancellation)
 * @property {() => Promise<void>} close - graceful: lets queued work finish, waits for the workers to end
 * @property {() => Promise<void>} destroy - ends the workers at once
 */

/**
 * A pool of exactly `processes` worker threads.
 * @param {PeerName} name
 * @param {number} processes
 * @returns {PeerPool}
 */
export function makePeer(name, processes) {
  switch (name) {
    case 'piscina': {
      const pool = new Piscina({ filename: TASKS.href, minThreads: processes, maxThreads: processes });
      return {
        run: (fn, arg) => pool.run(arg, { name: fn }),
        spin: (signal) => pool.run(null, { filename: SPIN.href, name: 'spin', signal }),
        close: () => pool.close(),
        destroy: () => pool.destroy(),
      };
    }
    case 'tinypool': {
      const pool = new Tinypool({ filename: TASKS.href, minThreads: processes, maxThreads: processes });
      // tinypool has no graceful close: destroy() waits for the workers to exit.
      return {
        run: (fn, arg) => pool.run(arg, { name: fn }),
        spin: (signal) => pool.run(null, { filename: SPIN.href, name: 'spin', signal }),
        close: () => pool.destroy(),
        destroy: () => pool.destroy(),
      };
    }
    case 'workerpool': {
      const pool = workerpool.pool(WORKERPOOL_SCRIPT, { minWorkers: processes, maxWorkers: processes, workerType: 'thread' });
      return {
        run: (fn, arg) => /** @type {Promise<unknown>} */ (pool.exec(fn, [arg])),
        spin: (signal) => {
          // workerpool's cancellation is the promise's cancel(): it ends the worker.
          const running = pool.exec('spin', []);
          signal.addEventListener(
            'abort',
            () => {
              try {
                running.cancel();
              } catch {
                // workerpool may throw its CancellationError here too; the promise rejects with it.
              }
            },
            { once: true },
          );
          return /** @type {Promise<unknown>} */ (running);
        },
        close: async () => {
          await pool.terminate(false);
        },
        destroy: async () => {
          await pool.terminate(true);
        },
      };
    }
    default:
      throw new Error(`unknown peer ${String(name)}`);
  }
}

/**
 * Pool.map(square, data) as the peers can do it: the chunks Pool.map would send
 * (chunksize ceil(n / (4 × processes)), Python's default), one task each, in parallel.
 * @param {PeerPool} pool
 * @param {readonly number[]} data
 * @param {number} processes
 * @returns {Promise<number[]>}
 */
export async function peerMap(pool, data, processes) {
  const size = Math.ceil(data.length / (4 * processes));
  /** @type {number[][]} */
  const chunks = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.slice(i, i + size));
  const parts = /** @type {number[][]} */ (await Promise.all(chunks.map((chunk) => pool.run('squareChunk', chunk))));
  /** @type {number[]} */
  const out = [];
  for (const part of parts) for (const value of part) out.push(value);
  return out;
}
