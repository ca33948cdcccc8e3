// Manager().dict() set+get round trip from a child, beside CPython's in the same run.
import { Listener } from '@mp/ipc';
import { Manager } from '@mp/managers';
import { cpython } from '../cpython.mjs';
import { joinAll, mpKind, mpName, startChildren, target, unlessOneFails } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const TRIPS = target('manager', 'dictTrips');
const IPC_TRIPS = target('manager', 'ipcTrips');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function managerCases(sizes) {
  // Two calls to another process per trip: a tenth of the Pipe case's count keeps the case short.
  const n = Math.max(10, Math.floor(sizes.pipeTrips / 10));
  // Four times the untimed warm-up of the other round-trip cases: the child and the manager are new
  // processes each repetition, and V8 optimizes their call path only after a few thousand calls. Measured
  // per block of 250 pairs from the start (2 cores, load ~6): 1,000–1,700 µs, then 400–600 up to pair
  // ~1,500, steady (~110–140) only after ~2,500 pairs — with 1,000 untimed pairs the timed 2,000 were
  // mostly V8's tier-up, not a round trip. CPython has no JIT: its untimed pairs change nothing.
  const warm = sizes.warmUpTrips * 4;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const manager = await Manager({ context: method }); // the manager process under the same start method
      scope.defer(() => manager.shutdown());
      const d = await manager.dict();
      await joinAll(startChildren(scope, method, [{ target: TRIPS, args: [d, n, warm] }]));
      return /** @type {number} */ (await d.get('us'));
    },
  });
  return [
    {
      id: 'manager-dict',
      title: 'Manager().dict() set+get round trip from a child',
      detail:
        `a child does \`await d.set('k', i)\` + \`await d.get('k')\` on a \`Manager().dict()\` proxy, ${n.toLocaleString('en')} times ` +
        `after ${warm.toLocaleString('en')} untimed; mean per set+get pair (two calls to the manager process). ` +
        "Python: `d['k'] = i; d['k']` on `Manager().dict()` from a child",
      metrics: [{ id: 'us', title: 'Manager().dict() set+get round trip', unit: 'µs', better: 'lower' }],
      variants: [
        mp('thread'),
        mp('process'),
        cpython('fork', 'manager-dict', { n, warm }),
        cpython('spawn', 'manager-dict', { n, warm }),
        ipcFloor(n, warm),
      ],
    },
  ];
}

/**
 * The floor: what the two socket round trips of a pair cost without the manager — a
 * 'process' child sends @mp/ipc messages shaped like a proxy's calls to a Listener (on a
 * Unix socket, as a manager's) in this thread, which answers each with a reply-shaped
 * message at once.
 * @param {number} n
 * @param {number} warm
 * @returns {Variant}
 */
function ipcFloor(n, warm) {
  return {
    name: '@mp/ipc round trips, no manager (floor)',
    kind: 'floor',
    async once(scope) {
      const listener = await new Listener().ready;
      scope.defer(() => listener.close());
      const children = startChildren(scope, 'process', [{ target: IPC_TRIPS, args: [listener.address, n, warm] }]);
      /** @type {import('@mp/ipc').SocketConnection<{ op: string, rid?: number, us?: number } | { ok: boolean, value: unknown, rid: number | undefined }>} */
      const conn = await unlessOneFails(listener.accept(), children);
      scope.defer(() => conn.close());
      for (;;) {
        const message = /** @type {{ op: string, rid?: number, us?: number }} */ (await conn.recv()); // a child that fails closes its end: recv() rejects (EOF)
        if (message.op === 'done') {
          await joinAll(children);
          return /** @type {number} */ (message.us);
        }
        conn.send({ ok: true, value: { value: 1, shared: false }, rid: message.rid });
      }
    },
  };
}
