import type { TaskRef } from '../task-ref.js';
import { describe } from './describe.js';
import { ensureTypeScript } from './typescript.js';

/** The options a target is given in: an inline arrow function there is named after them. */
const OPTION_NAMES: ReadonlySet<string> = new Set(['target', 'initializer', 'action', 'task', 'fn', 'func']);

/**
 * Imports the module of a {@link TaskRef} in this child and returns its export,
 * with errors that say what to fix. `what` names the thing in messages
 * (`Process target`, `Pool task`, `Barrier action`).
 */
export async function loadExport(ref: TaskRef, what: string): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    await ensureTypeScript(ref.module);
    module = (await import(ref.module)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Cannot import the module of the ${what}, ${ref.module}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  if (ref.name === '') {
    throw new Error(
      `The ${what} is an anonymous function, which a child cannot find by name: define it as a named function ` +
        `exported from ${ref.module} (export function work() {…}), or pass ref(moduleUrl, exportName).`,
    );
  }
  if (Object.hasOwn(module, ref.name)) return module[ref.name];
  const fallback = module['default'];
  if (typeof fallback === 'function' && fallback.name === ref.name) return fallback;
  // An inline arrow function takes the name of the option it is written in (`target: () => …`).
  const inline = OPTION_NAMES.has(ref.name)
    ? ` If it is an inline function (\`${ref.name}: () => …\`), it is named after the option only and cannot travel: ` +
      'make it a named function exported by its module.'
    : '';
  throw new Error(
    `The ${what} \`${ref.name}\` is not exported by ${ref.module}: export it (export function ${ref.name}…) ` +
      `so that the child can import it, or pass ref(moduleUrl, exportName) for a function exported elsewhere.${inline}`,
  );
}

/** Like {@link loadExport}, and checks that the export is a function. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export async function loadFunction(ref: TaskRef, what: string): Promise<Function> {
  const value = await loadExport(ref, what);
  if (typeof value !== 'function') {
    throw new TypeError(`The ${what} \`${ref.name}\` exported by ${ref.module} is not a function: got ${describe(value)}`);
  }
  return value;
}
