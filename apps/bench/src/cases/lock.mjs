// Lock cases: uncontended acquire+release; two children × N locked increments of a Value.
import { notify } from '@mp/core';
import { RawArray, Value } from '@mp/shared';
import { Lock } from '@mp/sync';
import { cpython } from '../cpython.mjs';
import { rawWaitUntilAtLeast, results, startFloor } from '../floors.mjs';
import { joinAll, mpKind, mpName, startChildren, target, unlessOneFails, waitUntilAtLeast } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const UNCONTENDED = target('lock', 'uncontended');
const INCREMENT = target('lock', 'increment');
const CHILDREN = 2;

/**
 * Parent side of the start gate of src/targets/gate.mjs (and of the floor's, which is
 * the same three words): waits until `count` children are ready, opens the gate, and
 * returns the ms until all of them are done.
 * @param {Int32Array} gate
 * @param {number} count
 * @param {(view: Int32Array, index: number, value: number) => Promise<void>} waitUntil - @mp/core's
 *   wait for @mp children, raw Atomics for raw workers: a gate is woken the way it is waited on
 * @param {() => void} open - stores "go" and wakes the children
 * @param {<T>(promise: Promise<T>) => Promise<T>} guard - rejects when a child fails first
 */
async function timeBetweenGates(gate, count, waitUntil, open, guard) {
  await guard(waitUntil(gate, 1, count));
  const start = performance.now();
  open();
  await guard(waitUntil(gate, 2, count));
  return performance.now() - start;
}

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function lockCases(sizes) {
  const ops = sizes.lockOps;
  const times = sizes.increments;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mpUncontended = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const lock = new Lock();
      const report = RawArray('d', 1);
      await joinAll(startChildren(scope, method, [{ target: UNCONTENDED, args: [lock, ops, report] }]));
      return /** @type {number} */ (report[0]);
    },
  });
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mpIncrements = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const value = new Value('i', 0);
      const gate = RawArray('i', 3);
      const children = startChildren(
        scope,
        method,
        Array.from({ length: CHILDREN }, () => ({ target: INCREMENT, args: [value, times, gate] })),
      );
      const open = () => {
        Atomics.store(gate, 0, 1);
        notify(gate, 0);
      };
      const ms = await timeBetweenGates(gate, CHILDREN, waitUntilAtLeast, open, (promise) => unlessOneFails(promise, children));
      await joinAll(children);
      if (value.value !== CHILDREN * times) throw new Error(`lost increments: ${value.value} instead of ${CHILDREN * times}`);
      return (ms * 1e6) / (CHILDREN * times);
    },
  });
  return [
    {
      id: 'lock-uncontended',
      title: 'Lock acquire+release, uncontended',
      detail: `a child that received the lock runs \`acquireSync(); release()\` ${ops.toLocaleString('en')} times (after ${Math.min(ops, 100_000).toLocaleString('en')} untimed); mean per pair`,
      metrics: [{ id: 'ns', title: 'Lock acquire+release, uncontended', unit: 'ns', better: 'lower' }],
      variants: [
        mpUncontended('thread'),
        mpUncontended('process'),
        cpython('fork', 'lock-uncontended', { ops }),
        cpython('spawn', 'lock-uncontended', { ops }),
        {
          name: 'raw Atomics CAS lock in a Worker (floor)',
          kind: 'floor',
          async once(scope) {
            const worker = startFloor(scope, { role: 'lock-uncontended', n: ops, shared: new SharedArrayBuffer(4) });
            return /** @type {number} */ (await worker.result);
          },
        },
      ],
    },
    {
      id: 'lock-increments',
      title: `${CHILDREN} children × ${times.toLocaleString('en')} locked increments of a Value`,
      detail:
        "Value('i') with its default lock; each child: `lock.acquireSync(); v.value += 1; lock.release()` (Python: " +
        '`with v.get_lock(): v.value += 1`); wall time from opening the start gate (both children ready) until both are done, per increment',
      metrics: [{ id: 'ns', title: `${CHILDREN} children × ${times.toLocaleString('en')} locked increments of a Value`, unit: 'ns/increment', better: 'lower' }],
      variants: [
        mpIncrements('thread'),
        mpIncrements('process'),
        cpython('fork', 'lock-increments', { times }),
        cpython('spawn', 'lock-increments', { times }),
        {
          name: 'raw Atomics futex lock, 2 Workers (floor)',
          kind: 'floor',
          async once(scope) {
            const shared = new SharedArrayBuffer(8); // [lock word, counter]
            const gate = new Int32Array(new SharedArrayBuffer(12));
            const workers = Array.from({ length: CHILDREN }, () =>
              startFloor(scope, { role: 'lock-increment', n: times, shared, gate: gate.buffer }),
            );
            const failed = results(workers).then(() => new Promise(() => {}));
            const open = () => {
              Atomics.store(gate, 0, 1);
              Atomics.notify(gate, 0);
            };
            const guard = (/** @type {Promise<any>} */ promise) => Promise.race([promise, /** @type {Promise<never>} */ (failed)]);
            const ms = await timeBetweenGates(gate, CHILDREN, rawWaitUntilAtLeast, open, guard);
            await results(workers);
            const total = new Int32Array(shared)[1];
            if (total !== CHILDREN * times) throw new Error(`lost increments: ${total}`);
            return (ms * 1e6) / (CHILDREN * times);
          },
        },
      ],
    },
  ];
}
