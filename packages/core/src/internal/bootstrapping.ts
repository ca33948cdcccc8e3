import { ProcessStateError } from '../errors.js';
import { runtime } from './runtime.js';

/**
 * The bootstrapping phase of a child: while it imports the module of its
 * target (a Process target, a Pool task or initializer), top-level code of
 * that module runs again in the child, so starting children there is refused —
 * otherwise a module that starts children at top level would start them again
 * in every child, for ever (Python raises its `RuntimeError` here too).
 */

/** The error of a child started during the bootstrapping phase. `call` names what was called. */
export function bootstrapMessage(call = 'start()'): string {
  return (
    'Cannot start a process from a module that is being imported by a child: a child imports the module of its ' +
    `target to find it, so top-level code runs again there. Put the ${call} call under \`if (isMain(import.meta))\` ` +
    "(Python: `if __name__ == '__main__':`)."
  );
}

/**
 * Refuses to start children while this isolate is bootstrapping.
 *
 * @param call - what the user called, for the message (`start()`, `new Pool()`)
 * @throws {@link ProcessStateError} while a child imports its target's module
 */
export function assertNotBootstrapping(call?: string): void {
  if (runtime().bootstrapping) throw new ProcessStateError(bootstrapMessage(call));
}

/**
 * Runs `load` (the import of a target's module) as part of the bootstrapping
 * phase: children cannot be started until it settles.
 *
 * @param load - imports the module and returns what it found
 * @returns what `load` returned
 */
export async function whileBootstrapping<T>(load: () => Promise<T>): Promise<T> {
  const rt = runtime();
  const previous = rt.bootstrapping;
  rt.bootstrapping = true;
  try {
    return await load();
  } finally {
    rt.bootstrapping = previous;
  }
}
