// Pool cases: start+close+join (and start + first task + close + join), map(square, N)
// on a warm pool, sequential apply round trips on a warm pool, and abort latency.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { setTimeout as delay } from 'node:timers/promises';
import { ref } from '@mp/core';
import { whenSparesReady } from '@mp/core/internal';
import { Pool } from '@mp/pool';
import { cpython } from '../cpython.mjs';
import { mpKind, mpName, target } from '../mp.mjs';
import { PEERS, makePeer, peerMap } from '../peers/pools.mjs';
import { dropResource, resource } from '../resources.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */
/** @typedef {import('../types.mjs').Sizes} Sizes */
/** @typedef {'thread' | 'process'} Method */

const SQUARE = target('square', 'square');
const IDENT = target('square', 'ident');
const ECHO = new URL('../floors/echo.mjs', import.meta.url);
const SPIN = ref(new URL('../peers/spin.mjs', import.meta.url), 'spin');
/** How long the spinning tasks run before the abort: on warm pools they have started by then. */
const SPIN_BEFORE_ABORT_MS = 50;

/**
 * Abort latency: every worker spins in a task that cannot end; one `abort()` cancels them
 * all. `reject`: from `abort()` until every task rejected; `ready`: until a `square` task
 * answered — a replacement worker was up and ran it.
 * @param {number} processes
 * @param {(signal: AbortSignal) => Promise<unknown>} spin
 * @param {() => Promise<unknown>} square
 * @param {{ idle: () => boolean, busy: () => boolean }} [workers] - whether every worker is up and idle / runs a spin (when the pool can tell)
 */
async function abortLatency(processes, spin, square, workers) {
  // The replacements of the last repetition are up, so that each takes one spin.
  while (workers && !workers.idle()) await delay(1);
  const controller = new AbortController();
  const spins = Array.from({ length: processes }, () =>
    spin(controller.signal).then(
      () => {
        throw new Error('spin() returned');
      },
      () => {},
    ),
  );
  await delay(SPIN_BEFORE_ABORT_MS);
  while (workers && !workers.busy()) await delay(1);
  const start = performance.now();
  controller.abort();
  await Promise.all(spins);
  const reject = performance.now() - start;
  // A pool may fail a task sent while it replaces workers (workerpool: 'Worker terminated'): retried, and timed.
  for (;;) {
    try {
      await square();
      break;
    } catch (error) {
      if (performance.now() - start > 30_000) throw error;
    }
  }
  return { reject, ready: performance.now() - start };
}

/**
 * A pool of its own for the abort case (its workers are replaced at every repetition:
 * the warm pools of the other cases are left alone), every worker up.
 * @param {Method} method
 * @param {number} processes
 */
function mpAbortPool(method, processes) {
  return resource(
    `pool-abort:${method}`,
    async () => {
      const pool = new Pool({ processes, context: method });
      const seen = new Set();
      while (seen.size < processes) for (const who of await pool.map(IDENT, Array.from({ length: 4 * processes }), 1)) seen.add(who);
      return pool;
    },
    (pool) => pool.terminate(),
  );
}

/** @type {Map<number, number[]>} */
const inputs = new Map();

/** @param {number} items */
function dataOf(items) {
  let data = inputs.get(items);
  if (!data) inputs.set(items, (data = Array.from({ length: items }, (_, i) => i)));
  return data;
}

/**
 * Runs `body` at least once, then again until `ms` have passed.
 * @param {number} ms
 * @param {() => Promise<unknown>} body
 */
async function warmUp(ms, body) {
  const until = performance.now() + ms;
  do await body();
  while (performance.now() < until);
}

/**
 * The warm @mp pool of `method`: every worker has answered, then it has mapped for
 * `poolWarmUpMs` (so the JIT has the loops hot), as packages/pool/bench does.
 * @param {Method} method
 * @param {Sizes} sizes
 */
function mpPool(method, sizes) {
  return resource(
    `pool:${method}`,
    async () => {
      const pool = new Pool({ processes: sizes.poolProcesses, context: method });
      const seen = new Set();
      while (seen.size < sizes.poolProcesses) {
        for (const who of await pool.map(IDENT, Array.from({ length: 4 * sizes.poolProcesses }), 1)) seen.add(who);
      }
      await warmUp(sizes.poolWarmUpMs, () => pool.map(SQUARE, dataOf(sizes.mapItems)));
      return pool;
    },
    (pool) => pool.terminate(),
  );
}

/**
 * The warm peer pool `name`.
 * @param {import('../peers/pools.mjs').PeerName} name
 * @param {Sizes} sizes
 */
function peerPool(name, sizes) {
  return resource(
    `pool:${name}`,
    async () => {
      const pool = makePeer(name, sizes.poolProcesses);
      await warmUp(sizes.poolWarmUpMs, () => peerMap(pool, dataOf(sizes.mapItems), sizes.poolProcesses));
      return pool;
    },
    (pool) => pool.destroy(),
  );
}

/**
 * The peer pool `name` for the abort case, of its own (see {@link mpAbortPool}).
 * @param {import('../peers/pools.mjs').PeerName} name
 * @param {number} processes
 */
function peerAbortPool(name, processes) {
  return resource(
    `pool-abort:${name}`,
    async () => {
      const pool = makePeer(name, processes);
      await Promise.all(Array.from({ length: 4 * processes }, (_, i) => pool.run('square', i)));
      return pool;
    },
    (pool) => pool.destroy(),
  );
}

/**
 * A raw echo worker thread or forked process: the floor under any pool's round trip.
 * @param {Method} method
 * @returns {Promise<(message: unknown) => Promise<unknown>>} one round trip
 */
function rawEcho(method) {
  return resource(
    `echo:${method}`,
    async () => {
      if (method === 'thread') {
        const worker = new Worker(ECHO);
        await once(worker, 'online');
        return Object.assign(
          (/** @type {unknown} */ message) =>
            new Promise((resolve) => {
              worker.once('message', resolve);
              worker.postMessage(message);
            }),
          { end: () => worker.terminate() },
        );
      }
      const child = fork(ECHO, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await once(child, 'spawn');
      return Object.assign(
        (/** @type {unknown} */ message) =>
          new Promise((resolve) => {
            child.once('message', resolve);
            child.send(/** @type {import('node:child_process').Serializable} */ (message));
          }),
        { end: () => child.kill() },
      );
    },
    (echo) => echo.end(),
  );
}

/**
 * Times `applies` sequential round trips, in µs each.
 * @param {number} applies
 * @param {(i: number) => Promise<unknown>} roundTrip
 */
async function perRoundTrip(applies, roundTrip) {
  const start = performance.now();
  for (let i = 0; i < applies; i++) await roundTrip(i);
  return ((performance.now() - start) * 1e3) / applies;
}

/**
 * @param {Sizes} sizes
 * @returns {Case[]}
 */
export function poolCases(sizes) {
  const processes = sizes.poolProcesses;
  const poolArgs = { processes, warmUpMs: sizes.poolWarmUpMs, items: sizes.mapItems };
  const pythonPool = { pool: true, setup: { op: 'pool-setup', args: poolArgs } };
  /** @type {(method: Method) => Variant} */
  const mpStart = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      let start = performance.now();
      const idle = new Pool({ processes, context: method });
      scope.onAbort(() => idle.terminate());
      idle.close();
      await idle.join();
      const closeJoin = performance.now() - start;
      // Untimed: the second pool starts as the first did, from ready spares (not beside their replacements).
      await whenSparesReady();
      start = performance.now();
      const busy = new Pool({ processes, context: method });
      scope.onAbort(() => busy.terminate());
      await busy.apply(SQUARE, [1]);
      busy.close();
      await busy.join();
      return { closeJoin, taskCloseJoin: performance.now() - start };
    },
  });
  /** @type {(method: Method) => Variant} */
  const mpMap = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    setup: async () => {
      await mpPool(method, sizes);
    },
    async once(scope) {
      scope.onAbort(() => dropResource(`pool:${method}`));
      const pool = await mpPool(method, sizes);
      const start = performance.now();
      const result = /** @type {number[]} */ (await pool.map(SQUARE, dataOf(sizes.mapItems)));
      const ms = performance.now() - start;
      if (result[sizes.mapItems - 1] !== (sizes.mapItems - 1) ** 2) throw new Error('wrong map result');
      return ms;
    },
  });
  /** @type {(method: Method) => Variant} */
  const mpApply = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    setup: async () => {
      await mpPool(method, sizes);
    },
    async once(scope) {
      scope.onAbort(() => dropResource(`pool:${method}`));
      const pool = await mpPool(method, sizes);
      return perRoundTrip(sizes.applies, (i) => pool.apply(SQUARE, [i]));
    },
  });

  /** @type {(method: Method) => Variant} */
  const mpAbort = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    setup: async () => {
      await mpAbortPool(method, processes);
    },
    async once(scope) {
      scope.onAbort(() => dropResource(`pool-abort:${method}`));
      const pool = await mpAbortPool(method, processes);
      return abortLatency(
        processes,
        (signal) => pool.apply(SPIN, [], { signal }),
        () => pool.apply(SQUARE, [2]),
        { idle: () => pool.stats().workers.idle === processes, busy: () => pool.stats().workers.busy === processes },
      );
    },
  });

  return [
    {
      id: 'pool-start',
      title: `Pool(${processes}) start`,
      detail:
        'closeJoin: from `new Pool()` until `join()` after an immediate `close()` resolved; taskCloseJoin: the same with one ' +
        '`apply(square, [1])` before `close()`. Peers: construct, (run one task,) then their graceful shutdown ' +
        '(piscina `close()`, tinypool `destroy()`, workerpool `terminate(false)`), which may end workers that have not ' +
        'finished starting: compare peers on taskCloseJoin.',
      metrics: [
        { id: 'closeJoin', title: `Pool(${processes}) start+close+join`, unit: 'ms', better: 'lower' },
        { id: 'taskCloseJoin', title: `Pool(${processes}) start + first apply + close+join`, unit: 'ms', better: 'lower' },
      ],
      variants: [
        mpStart('thread'),
        mpStart('process'),
        cpython('fork', 'pool-start', { processes }),
        cpython('spawn', 'pool-start', { processes }),
        ...PEERS.map(
          (name) =>
            /** @type {Variant} */ ({
              name,
              kind: 'peer',
              async once(scope) {
                let start = performance.now();
                const idle = makePeer(name, processes);
                scope.onAbort(() => idle.destroy());
                await idle.close();
                const closeJoin = performance.now() - start;
                start = performance.now();
                const busy = makePeer(name, processes);
                scope.onAbort(() => busy.destroy());
                await busy.run('square', 1);
                await busy.close();
                return { closeJoin, taskCloseJoin: performance.now() - start };
              },
            }),
        ),
      ],
    },
    {
      id: 'pool-map',
      title: `Pool(${processes}).map(square, ${sizes.mapItems.toLocaleString('en')})`,
      detail:
        'one `map` call on a warm pool (started and warmed up before the first repetition), default chunksize ' +
        `ceil(n / (4 × ${processes})); peers run those chunks as one task each`,
      metrics: [{ id: 'ms', title: `Pool(${processes}).map(square, ${sizes.mapItems.toLocaleString('en')})`, unit: 'ms', better: 'lower' }],
      variants: [
        mpMap('thread'),
        mpMap('process'),
        cpython('fork', 'pool-map', poolArgs, pythonPool),
        cpython('spawn', 'pool-map', poolArgs, pythonPool),
        ...PEERS.map(
          (name) =>
            /** @type {Variant} */ ({
              name,
              kind: 'peer',
              setup: async () => {
                await peerPool(name, sizes);
              },
              async once(scope) {
                scope.onAbort(() => dropResource(`pool:${name}`));
                const pool = await peerPool(name, sizes);
                const start = performance.now();
                const result = await peerMap(pool, dataOf(sizes.mapItems), processes);
                const ms = performance.now() - start;
                if (result[sizes.mapItems - 1] !== (sizes.mapItems - 1) ** 2) throw new Error('wrong map result');
                return ms;
              },
            }),
        ),
      ],
    },
    {
      id: 'pool-apply',
      title: `Pool(${processes}).apply(square, [i]) round trip`,
      detail: `${sizes.applies.toLocaleString('en')} sequential \`await apply()\` on the warm pool; the figure is the mean of one repetition`,
      metrics: [{ id: 'us', title: `Pool(${processes}).apply(square, [i]) round trip`, unit: 'µs', better: 'lower' }],
      variants: [
        mpApply('thread'),
        mpApply('process'),
        cpython('fork', 'pool-apply', { ...poolArgs, applies: sizes.applies }, pythonPool),
        cpython('spawn', 'pool-apply', { ...poolArgs, applies: sizes.applies }, pythonPool),
        ...PEERS.map(
          (name) =>
            /** @type {Variant} */ ({
              name,
              kind: 'peer',
              setup: async () => {
                await peerPool(name, sizes);
              },
              async once(scope) {
                scope.onAbort(() => dropResource(`pool:${name}`));
                const pool = await peerPool(name, sizes);
                return perRoundTrip(sizes.applies, (i) => pool.run('square', i));
              },
            }),
        ),
        .../** @type {const} */ (['thread', 'process']).map(
          (method) =>
            /** @type {Variant} */ ({
              name: method === 'thread' ? 'raw Worker postMessage echo (floor)' : 'raw fork IPC echo (floor)',
              kind: 'floor',
              setup: async () => {
                await rawEcho(method);
              },
              async once(scope) {
                scope.onAbort(() => dropResource(`echo:${method}`));
                const echo = await rawEcho(method);
                return perRoundTrip(sizes.applies, (i) => echo([i]));
              },
            }),
        ),
      ],
    },
    {
      id: 'pool-abort',
      title: `Pool(${processes}) abort latency`,
      detail:
        `every worker spins in a task that cannot end (peers/spin.mjs); one AbortController aborts the ${processes} tasks ` +
        '(@mp/pool, piscina, tinypool: `signal`; workerpool: `promise.cancel()`). reject: from `abort()` until every task ' +
        'rejected; ready: until a `square` task answered on a replacement worker (retried if the pool fails it). Each pool ' +
        'has its own, all workers up.',
      metrics: [
        { id: 'reject', title: `Pool(${processes}) abort → rejected`, unit: 'ms', better: 'lower' },
        { id: 'ready', title: `Pool(${processes}) abort → replacement ran a task`, unit: 'ms', better: 'lower' },
      ],
      variants: [
        mpAbort('thread'),
        mpAbort('process'),
        ...PEERS.map(
          (name) =>
            /** @type {Variant} */ ({
              name,
              kind: 'peer',
              setup: async () => {
                await peerAbortPool(name, processes);
              },
              async once(scope) {
                scope.onAbort(() => dropResource(`pool-abort:${name}`));
                const pool = await peerAbortPool(name, processes);
                return abortLatency(processes, (signal) => pool.spin(signal), () => pool.run('square', 2));
              },
            }),
        ),
      ],
    },
  ];
}
