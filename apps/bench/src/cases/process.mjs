// Process start+join: one no-op child, and ten at once.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { cpython } from '../cpython.mjs';
import { getSpares, ref, setSpares } from '@mp/core';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const EMPTY = new URL('../floors/empty.mjs', import.meta.url);
const NOOP = target('noop', 'noop');
const NOOP_TS = ref(new URL('../targets/noop-ts.ts', import.meta.url), 'noop');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function processCases(sizes) {
  return [
    startJoin('process-one', 'Process start+join, one no-op child', 1),
    startJoin('process-ten', `Process start+join, ${sizes.processesAtOnce} no-op children at once`, sizes.processesAtOnce),
    typeScriptTarget(),
  ];
}

/**
 * Starts and joins `count` children running `fn`; with `cold`, with warm spares turned
 * off for the repetition (every child starts a new isolate or Node.js process).
 * @param {import('../scope.mjs').Scope} scope
 * @param {'thread' | 'process'} method
 * @param {import('@mp/core').TaskRef} fn
 * @param {number} count
 * @param {boolean} cold
 */
async function timeStartJoin(scope, method, fn, count, cold) {
  if (cold) {
    setSpares(0);
    // Back to the default (MP_SPARES, else 2), untimed; the runner waits for the spares to be
    // back before the next repetition, so the warm rows meet the steady state.
    scope.defer(() => setSpares(undefined));
  }
  const start = performance.now();
  const children = startChildren(scope, method, Array.from({ length: count }, () => ({ target: fn, args: [] })));
  await joinAll(children);
  return performance.now() - start;
}

/**
 * A TypeScript target beside a JavaScript one: on Node 20 a child must register tsx to
 * import it, which warm spares do while they wait.
 * @returns {Case}
 */
function typeScriptTarget() {
  const title = 'Process start+join, one no-op child with a TypeScript target (.ts)';
  /** @type {(method: 'thread' | 'process', fn: import('@mp/core').TaskRef, label: string, kind: import('../types.mjs').Kind) => Variant} */
  const row = (method, fn, label, kind) => ({ name: label, kind, once: (scope) => timeStartJoin(scope, method, fn, 1, false) });
  return {
    id: 'process-ts',
    title,
    detail:
      'from `new Process(…)` until `join()` resolved, the target exported by a .ts module (the @mp rows) or by a .mjs ' +
      `module (the reference rows); Node ${process.version}${(/** @type {{ typescript?: unknown }} */ (process.features)).typescript ? ' strips types itself' : ': the child loads tsx'}`,
    metrics: [{ id: 'ms', title, unit: 'ms', better: 'lower' }],
    variants: [
      row('thread', NOOP_TS, mpName('thread'), 'mp-thread'),
      row('process', NOOP_TS, mpName('process'), 'mp-process'),
      row('thread', NOOP, `@mp 'thread', .mjs target (reference)`, 'floor'),
      row('process', NOOP, `@mp 'process', .mjs target (reference)`, 'floor'),
    ],
  };
}

/**
 * @param {string} id
 * @param {string} title
 * @param {number} count
 * @returns {Case}
 */
function startJoin(id, title, count) {
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    once: (scope) => timeStartJoin(scope, method, NOOP, count, false),
  });
  /** @type {(method: 'thread' | 'process') => Variant} */
  const cold = (method) => ({
    name: `@mp '${method}', spares off (cold start)`,
    kind: 'floor',
    once: (scope) => timeStartJoin(scope, method, NOOP, count, true),
  });
  return {
    id,
    title,
    detail:
      'from `new Process(…)` until every `join()` resolved (all started before the first join); the @mp rows with ' +
      `warm spares (the default: ${getSpares()}, more after a burst), the cold rows with \`setSpares(0)\``,
    metrics: [{ id: 'ms', title, unit: 'ms', better: 'lower' }],
    variants: [
      mp('thread'),
      mp('process'),
      cold('thread'),
      cold('process'),
      cpython('fork', 'process-start', { count }),
      cpython('spawn', 'process-start', { count }),
      {
        name: 'raw new Worker (floor)',
        kind: 'floor',
        async once(scope) {
          const start = performance.now();
          const workers = Array.from({ length: count }, () => new Worker(EMPTY));
          for (const worker of workers) scope.defer(() => worker.terminate());
          await Promise.all(workers.map((worker) => once(worker, 'exit')));
          return performance.now() - start;
        },
      },
      {
        name: 'raw child_process.fork (floor)',
        kind: 'floor',
        async once(scope) {
          const start = performance.now();
          // As @mp/core forks its 'process' children: no extra flags, an IPC channel with advanced serialization.
          const children = Array.from({ length: count }, () =>
            fork(EMPTY, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
          );
          for (const child of children) scope.defer(() => child.kill('SIGKILL'));
          await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
          return performance.now() - start;
        },
      },
    ],
  };
}
