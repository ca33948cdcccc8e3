import { describe } from './internal/describe.js';
import { runtime } from './internal/runtime.js';

/**
 * How a child runs: `'thread'` — a `worker_threads` Worker (an isolated V8
 * isolate in this OS process); `'process'` — a fresh Node.js OS process from
 * `child_process.fork`, with its own pid, signals and memory.
 *
 * Python: the start methods `'fork'`, `'spawn'`, `'forkserver'`.
 */
export type StartMethod = 'thread' | 'process';

/** Every start method, the default first. */
export const START_METHODS: readonly StartMethod[] = Object.freeze(['thread', 'process']);

/** Throws a TypeError naming the valid start methods unless `method` is one. */
export function assertStartMethod(method: unknown, what = 'start method'): asserts method is StartMethod {
  if (!START_METHODS.includes(method as StartMethod)) {
    throw new TypeError(
      `Expected the ${what} to be one of ${START_METHODS.map((m) => `'${m}'`).join(', ')}, got ${describe(method)}`,
    );
  }
}

/** The start method named by the `MP_START_METHOD` environment variable, if any. */
function fromEnvironment(): StartMethod | undefined {
  const value = process.env['MP_START_METHOD'];
  if (value === undefined || value === '') return undefined;
  assertStartMethod(value, 'MP_START_METHOD environment variable');
  return value;
}

/**
 * The default start method of this process: the one set with
 * {@link setStartMethod}, else the parent's, else the `MP_START_METHOD`
 * environment variable, else `'thread'`.
 *
 * Python: `multiprocessing.get_start_method()`.
 *
 * @returns `'thread'` or `'process'`
 * @example
 * ```ts
 * getStartMethod(); // 'thread'
 * ```
 */
export function getStartMethod(): StartMethod {
  return runtime().startMethod ?? fromEnvironment() ?? 'thread';
}

/**
 * Sets the default start method of this process. Like Python, it may be set
 * once; pass `{ force: true }` to change it again.
 *
 * Python: `multiprocessing.set_start_method(method, force=False)`.
 *
 * @param method - `'thread'` or `'process'`
 * @throws TypeError for an unknown start method (`'fork'`)
 * @throws Error when it was already set and `force` is not true
 * @example
 * ```ts
 * if (isMain(import.meta)) setStartMethod('process');
 * ```
 */
export function setStartMethod(method: StartMethod, options: { force?: boolean } = {}): void {
  assertStartMethod(method);
  const rt = runtime();
  if (rt.startMethodFixed && options.force !== true) {
    throw new Error(`The start method has already been set to '${getStartMethod()}': pass { force: true } to change it`);
  }
  rt.startMethod = method;
  rt.startMethodFixed = true;
}

/**
 * Every start method available here, the default first.
 *
 * Python: `multiprocessing.get_all_start_methods()`.
 *
 * @returns `['thread', 'process']`
 * @example
 * ```ts
 * getAllStartMethods(); // ['thread', 'process']
 * ```
 */
export function getAllStartMethods(): StartMethod[] {
  return [...START_METHODS];
}
