// The pool tasks, shared by @mp/pool, piscina and tinypool (workerpool's worker script
// imports them): the same function object code for every pool.
import { threadId } from 'node:worker_threads';

/** @param {number} x */
export function square(x) {
  return x * x;
}

/**
 * A chunk of map(square, …) as one task: what Pool.map sends a worker, for the pools
 * that have no map of their own.
 * @param {number[]} chunk
 */
export function squareChunk(chunk) {
  const out = [];
  for (let i = 0; i < chunk.length; i++) out.push(/** @type {number} */ (chunk[i]) * /** @type {number} */ (chunk[i]));
  return out;
}

/** Which worker ran the task: set-up waits until every worker of the pool has answered. */
export function ident() {
  return `${process.pid}:${threadId}`;
}
