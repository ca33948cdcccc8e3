import { availableParallelism } from 'node:os';

/**
 * The number of CPUs this program may use, from `os.availableParallelism()`.
 *
 * Python: `multiprocessing.cpu_count()`.
 *
 * @returns the number of logical CPUs (at least 1)
 * @example
 * ```ts
 * console.log(cpuCount()); // 8
 * ```
 */
export function cpuCount(): number {
  return availableParallelism();
}
