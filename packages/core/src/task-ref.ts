import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callerModule } from './internal/caller.js';
import { describe } from './internal/describe.js';

const BRAND = Symbol.for('@mp/core.TaskRef');

/**
 * A function named by reference: the module that exports it and the export's
 * name. This is how targets travel to children, as Python pickles a function by
 * module and qualified name. Plain data: it can be sent anywhere.
 */
export interface TaskRef {
  /** Module URL (`file:///…/tasks.js`) or bare specifier the child imports. */
  readonly module: string;
  /** The export to call. `''` for an anonymous function, which the child reports. */
  readonly name: string;
}

/** A target as the APIs accept it: a function exported by the calling module, or a {@link TaskRef}. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type Target = Function | TaskRef;

function toModuleUrl(module: string | URL, base: string | undefined): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('./') || module.startsWith('../')) {
    if (!base) throw new TypeError(`Cannot resolve the relative module ${describe(module)}: pass a URL, e.g. new URL('${module}', import.meta.url)`);
    return new URL(module, base).href;
  }
  if (isAbsolute(module)) return pathToFileURL(module).href;
  return module;
}

/**
 * Names a function by module and export, for targets defined in another module
 * than the one calling the API.
 *
 * Python: what `pickle` does to a function (module + qualified name).
 *
 * @param module - the module's URL (`new URL('./tasks.js', import.meta.url)`), a
 *   `file:` URL string, an absolute path, a path relative to the calling module, or a
 *   bare specifier
 * @param name - the export to call (`'default'` for a default export)
 * @returns a frozen {@link TaskRef}
 * @throws TypeError when `module` or `name` is not a non-empty string (or URL)
 * @example
 * ```ts
 * const p = new Process({ target: ref(new URL('./tasks.js', import.meta.url), 'square'), args: [3] });
 * ```
 */
export function ref(module: string | URL, name: string): TaskRef {
  if (!(module instanceof URL) && (typeof module !== 'string' || module === '')) {
    throw new TypeError(`Expected \`module\` to be a URL or a non-empty string, got ${describe(module)}`);
  }
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`Expected \`name\` to be the name of an export, got ${describe(name)}`);
  }
  const taskRef = { module: toModuleUrl(module, callerModule()), name };
  Object.defineProperty(taskRef, BRAND, { value: true });
  return Object.freeze(taskRef);
}

/** True for a {@link TaskRef} made by {@link ref} (or one that travelled as plain data). */
export function isTaskRef(value: unknown): value is TaskRef {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<TaskRef> & { [BRAND]?: boolean };
  return candidate[BRAND] === true || (typeof candidate.module === 'string' && typeof candidate.name === 'string');
}

/**
 * Turns what the user passed as a target into a {@link TaskRef}: a `TaskRef` as
 * is; a function as the export named `fn.name` of the calling module.
 *
 * @param what - names the option in errors (`target`, `initializer`, `action`)
 * @param skip - package roots to step over when finding the calling module
 */
export function toTaskRef(target: unknown, what = 'target', skip: readonly string[] = []): TaskRef {
  if (isTaskRef(target)) return { module: target.module, name: target.name };
  if (typeof target !== 'function') {
    throw new TypeError(`Expected \`${what}\` to be an exported function or ref(module, name), got ${describe(target)}`);
  }
  const module = callerModule({ skip });
  if (!module) {
    throw new Error(`Cannot tell which module passed the ${what} ${describe(target)}: use ref(new URL('./module.js', import.meta.url), '${target.name || 'name'}')`);
  }
  return { module, name: target.name };
}
