// Runs in a worker of mp-worker's local @mp/pool Pool: one job's items, one after another.
import { serialize } from 'node:v8';
import { loadFunction } from '@mp/core/internal';
import { decodeItems, toErrorData, type ChunkOutcome } from '../internal/payload.js';

/**
 * Calls the target on every item of a job (all of them, even after a failure,
 * as `Pool.map` does) and returns the serialized {@link ChunkOutcome}.
 *
 * @param url - the module, already resolved under the worker's root
 * @param shown - how the module reads in errors (its path, export and root)
 */
export async function runChunk(url: string, name: string, shown: string, star: boolean, items: string): Promise<Uint8Array> {
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = (await loadFunction({ module: url, name }, 'task')) as typeof fn;
  } catch (error) {
    throw new Error(`Cannot load the task ${shown}: ${(error as Error).message}`, { cause: error });
  }
  const values = decodeItems(items);
  const results: unknown[] = new Array(values.length);
  const errors: ChunkOutcome['errors'][number][] = [];
  for (let i = 0; i < values.length; i++) {
    try {
      results[i] = await (star ? fn(...(values[i] as unknown[])) : fn(values[i]));
    } catch (error) {
      errors.push({ index: i, error: toErrorData(error) });
    }
  }
  try {
    return serialize({ results, errors } satisfies ChunkOutcome);
  } catch {
    // Name the result that cannot travel, as an argument is named on the way in.
    for (let i = 0; i < results.length; i++) {
      try {
        serialize(results[i]);
      } catch (cause) {
        errors.push({ index: i, error: toErrorData(new TypeError(`The result of item ${i} of the job cannot be sent back: ${(cause as Error).message}`)) });
        results[i] = undefined;
      }
    }
    errors.sort((a, b) => a.index - b.index);
    return serialize({ results, errors } satisfies ChunkOutcome);
  }
}
