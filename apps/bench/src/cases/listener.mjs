// Listener/Client send+recv round trip on loopback TCP, between the parent and a child.
import { createConnection, createServer } from 'node:net';
import { Listener } from '@mp/ipc';
import { cpython } from '../cpython.mjs';
import { joinAll, mpKind, mpName, startChildren, target, unlessOneFails } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const ECHO = target('listener', 'echo');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function listenerCases(sizes) {
  const n = sizes.pipeTrips; // as many as the Pipe case: the two figures compare
  const warm = sizes.warmUpTrips;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const listener = await new Listener(['127.0.0.1', 0]).ready; // authkey: currentProcess().authkey, inherited
      scope.defer(() => listener.close());
      const children = startChildren(scope, method, [{ target: ECHO, args: [listener.address] }]);
      /** @type {import('@mp/ipc').SocketConnection<number>} */
      const conn = await unlessOneFails(listener.accept(), children);
      scope.defer(() => conn.close());
      for (let i = 0; i < warm; i++) {
        conn.send(i);
        await conn.recv();
      }
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        conn.send(i);
        await conn.recv();
      }
      const us = ((performance.now() - start) * 1e3) / n;
      conn.send(-1);
      await joinAll(children);
      return us;
    },
  });
  return [
    {
      id: 'listener',
      title: 'Listener/Client round trip on loopback TCP',
      detail:
        "the parent's `Listener(['127.0.0.1', 0])` accepts a child's `Client` (authkey handshake, untimed), then " +
        `\`send(i)\` + \`await recv()\` against the child echoing, ${n.toLocaleString('en')} times after ` +
        `${warm.toLocaleString('en')} untimed; mean per round trip (Python: \`Listener\`/\`Client\` of multiprocessing.connection)`,
      metrics: [{ id: 'us', title: 'Listener/Client round trip on loopback TCP', unit: 'µs', better: 'lower' }],
      variants: [mp('thread'), mp('process'), cpython('fork', 'listener', { n, warm }), cpython('spawn', 'listener', { n, warm }), rawSockets(n, warm)],
    },
  ];
}

/**
 * The floor: raw `node:net` sockets on loopback, both ends in this thread, 4 bytes
 * each way, no framing, no serialization, no handshake.
 * @param {number} n
 * @param {number} warm
 * @returns {Variant}
 */
function rawSockets(n, warm) {
  return {
    name: 'raw net sockets, one event loop (floor)',
    kind: 'floor',
    async once(scope) {
      const server = createServer((socket) => {
        socket.setNoDelay(true);
        socket.on('data', (chunk) => socket.write(chunk));
      });
      scope.defer(() => server.close());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      const client = createConnection({ host: '127.0.0.1', port });
      scope.defer(() => client.destroy());
      await new Promise((resolve) => client.once('connect', resolve));
      client.setNoDelay(true);
      /** @type {(() => void) | undefined} */
      let answered;
      let pending = 0;
      client.on('data', (chunk) => {
        pending -= chunk.length;
        if (pending === 0) answered?.();
      });
      const message = Buffer.alloc(4);
      const trip = () =>
        new Promise((resolve) => {
          answered = () => resolve(undefined);
          pending = message.length;
          client.write(message);
        });
      for (let i = 0; i < warm; i++) await trip();
      const start = performance.now();
      for (let i = 0; i < n; i++) await trip();
      return ((performance.now() - start) * 1e3) / n;
    },
  };
}
