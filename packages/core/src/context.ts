import { CONTEXT_METHOD, Process } from './process.js';
import { assertStartMethod, getStartMethod, type StartMethod } from './start-method.js';
import { slot } from './internal/runtime.js';

/**
 * The API bound to one start method: `ctx.Process` starts its children with
 * that method, whatever the default is.
 *
 * Python: the context objects of `multiprocessing.get_context()`.
 */
export interface Context {
  /** The start method of this context. */
  readonly startMethod: StartMethod;
  /** `Process`, starting children with {@link Context.startMethod} unless told otherwise. */
  readonly Process: typeof Process;
}

function makeContext(method: StartMethod): Context {
  const Bound = class extends Process {};
  Object.defineProperty(Bound, 'name', { value: 'Process' });
  Object.defineProperty(Bound, CONTEXT_METHOD, { value: method });
  // The subclass is as generic as Process itself (it adds nothing but the start method).
  return Object.freeze({ startMethod: method, Process: Bound as typeof Process });
}

/**
 * The context of a start method (the default one when omitted).
 *
 * Python: `multiprocessing.get_context(method=None)`.
 *
 * @param method - `'thread'` or `'process'`
 * @returns a context whose `Process` uses that method
 * @throws TypeError for an unknown start method
 * @example
 * ```ts
 * const ctx = getContext('process');
 * const p = new ctx.Process({ target: work });
 * ```
 */
export function getContext(method?: StartMethod): Context {
  const chosen = method ?? getStartMethod();
  assertStartMethod(chosen);
  return slot(`context:${chosen}`, () => makeContext(chosen));
}
