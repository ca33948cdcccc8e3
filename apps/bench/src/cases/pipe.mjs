// Pipe round trip between two children.
import { MessageChannel } from 'node:worker_threads';
import { Pipe } from '@mp/ipc';
import { RawArray } from '@mp/shared';
import { cpython } from '../cpython.mjs';
import { startFloor } from '../floors.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const PING = target('pipe', 'ping');
const PONG = target('pipe', 'pong');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function pipeCases(sizes) {
  const n = sizes.pipeTrips;
  const warm = sizes.warmUpTrips;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const [a, b] = Pipe();
      const report = RawArray('d', 1);
      const children = startChildren(scope, method, [
        { target: PONG, args: [b] },
        { target: PING, args: [a, n, warm, report] },
      ]);
      // The children hold their own copies, as after a fork.
      a.close();
      b.close();
      await joinAll(children);
      return /** @type {number} */ (report[0]);
    },
  });
  return [
    {
      id: 'pipe',
      title: 'Pipe round trip between two children',
      detail: `one child sends a number and waits for the other to send it back (\`send\` + \`recvSync\`), ${n.toLocaleString('en')} times after ${warm.toLocaleString('en')} untimed; mean per round trip`,
      metrics: [{ id: 'us', title: 'Pipe round trip between two children', unit: 'µs', better: 'lower' }],
      variants: [
        mp('thread'),
        mp('process'),
        cpython('fork', 'pipe', { n, warm }),
        cpython('spawn', 'pipe', { n, warm }),
        {
          name: 'raw MessageChannel, 2 Workers (floor)',
          kind: 'floor',
          async once(scope) {
            const { port1, port2 } = new MessageChannel();
            startFloor(scope, { role: 'pong-port', port: port2 }, [port2]);
            const ping = startFloor(scope, { role: 'ping-port', n, warm, port: port1 }, [port1]);
            return /** @type {number} */ (await ping.result);
          },
        },
        atomicsPingPong(n, warm),
      ],
    },
  ];
}

/**
 * The floor of any round trip over shared memory: two raw Workers hand a turn word
 * back and forth with Atomics.wait/notify, both asleep between turns.
 * @param {number} n
 * @param {number} warm
 * @returns {Variant}
 */
export function atomicsPingPong(n, warm) {
  return {
    name: 'raw Atomics.wait/notify, 2 Workers (floor)',
    kind: 'floor',
    async once(scope) {
      const shared = new SharedArrayBuffer(4);
      startFloor(scope, { role: 'pong-atomics', n, warm, shared });
      const ping = startFloor(scope, { role: 'ping-atomics', n, warm, shared });
      return /** @type {number} */ (await ping.result);
    },
  };
}
