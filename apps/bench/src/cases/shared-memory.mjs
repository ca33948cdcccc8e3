// SharedMemory attach by name (+ close), in a child given the name.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { RawArray, SharedMemory } from '@mp/shared';
import { cpython } from '../cpython.mjs';
import { SkipError } from '../errors.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const ATTACH = target('shared-memory', 'attach');
const SIZE = 4096;

/**
 * A block to attach to, unlinked when the repetition ends; a skip where SharedMemory
 * cannot exist (not Linux, @mp/native not built).
 * @param {import('../scope.mjs').Scope} scope
 */
function block(scope) {
  try {
    const shm = new SharedMemory({ create: true, size: SIZE });
    scope.defer(() => {
      shm.close();
      shm.unlink();
    });
    return shm;
  } catch (error) {
    if (/** @type {Error} */ (error).name === 'SharedMemoryUnsupportedError') throw new SkipError(/** @type {Error} */ (error).message);
    throw error;
  }
}

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function sharedMemoryCases(sizes) {
  const n = sizes.pipeTrips;
  const warm = sizes.warmUpTrips;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const shm = block(scope);
      const report = RawArray('d', 1);
      await joinAll(startChildren(scope, method, [{ target: ATTACH, args: [shm.name, n, warm, report] }]));
      return /** @type {number} */ (report[0]);
    },
  });
  return [
    {
      id: 'shared-memory-attach',
      title: 'SharedMemory attach by name + close',
      detail:
        `the parent creates a ${SIZE}-byte block; a child given its name times \`new SharedMemory({ name }).close()\` ` +
        `${n.toLocaleString('en')} times after ${warm.toLocaleString('en')} untimed; mean per attach+close ` +
        "(Python: `SharedMemory(name).close()`, which on 3.11–3.12 also registers the name with the resource tracker; @mp's attach is untracked, as `track=False`)",
      metrics: [{ id: 'us', title: 'SharedMemory attach by name + close', unit: 'µs', better: 'lower' }],
      variants: [
        mp('thread'),
        mp('process'),
        cpython('fork', 'shared-memory-attach', { n, warm }),
        cpython('spawn', 'shared-memory-attach', { n, warm }),
        {
          name: 'raw open+fstat+close of /dev/shm/<name>, no mmap (floor)',
          kind: 'floor',
          async once(scope) {
            const path = `/dev/shm/${block(scope).name}`;
            const attach = () => {
              const fd = openSync(path, 'r+');
              fstatSync(fd);
              closeSync(fd);
            };
            for (let i = 0; i < warm; i++) attach();
            const start = performance.now();
            for (let i = 0; i < n; i++) attach();
            return ((performance.now() - start) * 1e3) / n;
          },
        },
      ],
    },
  ];
}
