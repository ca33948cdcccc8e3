// SharedArray('d', N): create it, then a child sums it.
import { RawArray, SharedArray } from '@mp/shared';
import { cpython } from '../cpython.mjs';
import { startFloor } from '../floors.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const SUM = target('shared-array', 'sum');

/**
 * @param {number} length
 * @param {number} total
 */
function check(length, total) {
  if (total !== (length * (length - 1)) / 2) throw new Error(`wrong sum ${total}`);
}

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function sharedArrayCases(sizes) {
  const length = sizes.arrayLength;
  const name = `SharedArray('d', ${length.toLocaleString('en')})`;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const start = performance.now();
      const array = new SharedArray('d', length);
      const create = performance.now() - start;
      const raw = array.raw;
      for (let i = 0; i < length; i++) raw[i] = i; // untimed: a sum to check
      const report = RawArray('d', 2);
      const started = performance.now();
      await joinAll(startChildren(scope, method, [{ target: SUM, args: [array, report] }]));
      const endToEnd = performance.now() - started;
      check(length, /** @type {number} */ (report[1]));
      return { create, sum: /** @type {number} */ (report[0]), endToEnd };
    },
  });
  return [
    {
      id: 'shared-array',
      title: name,
      detail:
        `create: \`new SharedArray('d', ${length})\` in the parent (Python: \`Array('d', n)\`); sum: in a child that received ` +
        "it, from the target's first line to the total, holding the array's lock once around a loop over `raw` " +
        '(Python: `with a.get_lock(): sum(a.get_obj())`); start a child that sums it: from `new Process(…)` to ' +
        '`join()` resolved, the sum included (the array and its values exist already)',
      metrics: [
        { id: 'create', title: `${name}: create`, unit: 'ms', better: 'lower' },
        { id: 'sum', title: `${name}: a child sums it`, unit: 'ms', better: 'lower' },
        { id: 'endToEnd', title: `${name}: start a child that sums it, until join()`, unit: 'ms', better: 'lower' },
      ],
      variants: [
        mp('thread'),
        mp('process'),
        cpython('fork', 'shared-array', { length }),
        cpython('spawn', 'shared-array', { length }),
        {
          name: 'raw Float64Array on a SharedArrayBuffer, Worker (floor)',
          kind: 'floor',
          async once(scope) {
            const start = performance.now();
            const shared = new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT);
            const values = new Float64Array(shared);
            const create = performance.now() - start;
            for (let i = 0; i < length; i++) values[i] = i;
            const started = performance.now();
            const [ms, total] = /** @type {[number, number]} */ (await startFloor(scope, { role: 'sum', shared }).result);
            const endToEnd = performance.now() - started;
            check(length, total);
            return { create, sum: ms, endToEnd };
          },
        },
      ],
    },
  ];
}
