import { describe } from '@mp/core/internal';
import { makeConnection, type Connection } from './connection.js';
import { PipeMemory } from './internal/pipe-memory.js';

/**
 * Makes a pipe: a pair of connected {@link Connection}s. Duplex by default —
 * each end sends to and receives from the other. `Pipe(false)` gives
 * `[receiveOnly, sendOnly]`, as Python does.
 *
 * Messages are whole: never merged, never split, delivered in the order each
 * end sent them, empty ones included.
 *
 * Python: `multiprocessing.Pipe(duplex=True)`.
 *
 * @param duplex - two-way (true) or one-way (false) @defaultValue true
 * @returns the two ends
 * @throws TypeError when `duplex` is not a boolean
 * @example
 * {@includeCode ../../../apps/examples/src/pipe.ts#main}
 */
export function Pipe<T = unknown>(duplex = true): [Connection<T>, Connection<T>] {
  if (typeof duplex !== 'boolean') throw new TypeError(`Expected \`duplex\` to be a boolean, got ${describe(duplex)}`);
  const memory = PipeMemory.create(duplex);
  return [
    makeConnection<T>(memory, 0, memory.holders[0].add()),
    makeConnection<T>(memory, 1, memory.holders[1].add()),
  ];
}
