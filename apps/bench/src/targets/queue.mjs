// Queue throughput between two children. The producer starts when the consumer is
// ready (so the consumer never drains a backlog built before it came up); the consumer
// times everything after the first item: n transfers (n − 1 items and the end marker).
/** @typedef {import('@mp/ipc').Queue<unknown>} Queue */
/** @typedef {import('@mp/sync').Event} Event */

/**
 * @param {Queue} queue
 * @param {number} n
 * @param {string | null} payload - null: the integers 0…n−1
 * @param {Event} ready
 */
export function produce(queue, n, payload, ready) {
  ready.waitSync();
  if (payload === null) for (let i = 0; i < n; i++) queue.putSync(i);
  else for (let i = 0; i < n; i++) queue.putSync(payload);
  queue.putSync(null);
}

/**
 * @param {Queue} queue
 * @param {Event} ready
 * @param {Float64Array} report - [items per second]
 */
export function consume(queue, ready, report) {
  ready.set();
  queue.getSync();
  const start = performance.now();
  let transfers = 1;
  while (queue.getSync() !== null) transfers++;
  report[0] = transfers / ((performance.now() - start) / 1e3);
}
