// Event ping-pong between two children.
import { RawArray } from '@mp/shared';
import { Event } from '@mp/sync';
import { cpython } from '../cpython.mjs';
import { joinAll, mpKind, mpName, startChildren, target } from '../mp.mjs';
import { atomicsPingPong } from './pipe.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const SERVE = target('event', 'serve');
const ANSWER = target('event', 'answer');

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function eventCases(sizes) {
  const n = sizes.eventTrips;
  const warm = sizes.warmUpTrips;
  /** @type {(method: 'thread' | 'process') => Variant} */
  const mp = (method) => ({
    name: mpName(method),
    kind: mpKind(method),
    async once(scope) {
      const ping = new Event();
      const pong = new Event();
      const report = RawArray('d', 1);
      const children = startChildren(scope, method, [
        { target: ANSWER, args: [ping, pong, warm + n] },
        { target: SERVE, args: [ping, pong, n, warm, report] },
      ]);
      await joinAll(children);
      return /** @type {number} */ (report[0]);
    },
  });
  return [
    {
      id: 'event',
      title: 'Event ping-pong between two children',
      detail:
        `two Events: one child \`ping.set(); pong.waitSync(); pong.clear()\`, the other \`ping.waitSync(); ping.clear(); pong.set()\`; ` +
        `${n.toLocaleString('en')} round trips after ${warm.toLocaleString('en')} untimed; mean per round trip`,
      metrics: [{ id: 'us', title: 'Event ping-pong between two children', unit: 'µs', better: 'lower' }],
      variants: [
        mp('thread'),
        mp('process'),
        cpython('fork', 'event', { n, warm }),
        cpython('spawn', 'event', { n, warm }),
        atomicsPingPong(n, warm),
      ],
    },
  ];
}
