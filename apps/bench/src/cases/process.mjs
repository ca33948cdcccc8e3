// Process start+join: one no-op child, and ten at once.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { cpython } from '../cpython.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const EMPTY = new URL('../floors/empty.mjs', import.meta.url);
const NOOP = target('noop', 'noop');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function processCases(sizes) {
  return [
    startJoin('process-one', 'Process start+join, one no-op child', 1),
    startJoin('process-ten', `Process start+join, ${sizes.processesAtOnce} no-op children at once`, sizes.processesAtOnce),
  ];
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
    async once(scope) {
      const start = performance.now();
      const children = startChildren(scope, method, Array.from({ length: count }, () => ({ target: NOOP, args: [] })));
      await joinAll(children);
      return performance.now() - start;
    },
  });
  return {
    id,
    title,
    detail: `from \`new Process(…)\` until every \`join()\` resolved (all started before the first join)`,
    metrics: [{ id: 'ms', title, unit: 'ms', better: 'lower' }],
    variants: [
      mp('thread'),
      mp('process'),
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
