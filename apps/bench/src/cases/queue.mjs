// Queue throughput between two children: small integers, and 1 KiB strings.
import { MessageChannel } from 'node:worker_threads';
import { Queue } from '@mp/ipc';
import { RawArray } from '@mp/shared';
import { Event } from '@mp/sync';
import { cpython } from '../cpython.mjs';
import { startFloor } from '../floors.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const PRODUCE = target('queue', 'produce');
const CONSUME = target('queue', 'consume');
const KIB = 1024;

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function queueCases(sizes) {
  return [
    throughput('queue-small', `Queue throughput, ${sizes.queueSmall.toLocaleString('en')} small ints`, sizes.queueSmall, null),
    throughput('queue-kib', `Queue throughput, ${sizes.queueKib.toLocaleString('en')} × 1 KiB strings`, sizes.queueKib, KIB),
  ];
}

/**
 * @param {string} id
 * @param {string} title
 * @param {number} n
 * @param {number | null} payloadLength - null: the integers 0…n−1
 * @returns {Case}
 */
function throughput(id, title, n, payloadLength) {
  const payload = payloadLength === null ? null : 'x'.repeat(payloadLength);
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const queue = new Queue();
      const ready = new Event();
      const report = RawArray('d', 1);
      const children = startChildren(scope, method, [
        { target: CONSUME, args: [queue, ready, report] },
        { target: PRODUCE, args: [queue, n, payload, ready] },
      ]);
      await joinAll(children);
      return /** @type {number} */ (report[0]);
    },
  });
  return {
    id,
    title,
    detail:
      'a producer child puts n items (`putSync`) once the consumer child is ready; the consumer (`getSync`) times from its ' +
      'first item to the end marker and reports n / that time',
    metrics: [{ id: 'rate', title, unit: 'items/s', better: 'higher' }],
    variants: [
      mp('thread'),
      mp('process'),
      cpython('fork', 'queue', { n, payload: payloadLength }),
      cpython('spawn', 'queue', { n, payload: payloadLength }),
      {
        name: 'raw MessageChannel, 2 Workers (floor)',
        kind: 'floor',
        async once(scope) {
          const { port1, port2 } = new MessageChannel();
          const consumer = startFloor(scope, { role: 'consume', port: port2 }, [port2]);
          startFloor(scope, { role: 'produce', n, payload, port: port1 }, [port1]);
          return /** @type {number} */ (await consumer.result);
        },
      },
    ],
  };
}
