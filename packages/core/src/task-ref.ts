import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** Source text of caller modules, read once each (for {@link checkTarget}). */
const sources = new Map<string, string | undefined>();

function sourceOf(module: string): string | undefined {
  if (!module.startsWith('file:')) return undefined;
  if (!sources.has(module)) {
    let text: string | undefined;
    try {
      text = readFileSync(fileURLToPath(module), 'utf8');
    } catch {
      text = undefined;
    }
    sources.set(module, text);
  }
  return sources.get(module);
}

function escape(name: string): string {
  return name.replace(/[$]/g, '\\$&');
}

/**
 * Whether `source` (an ES module's text) exports `name`: `true`, `false`, or
 * `undefined` when the text cannot tell (`export *`, a CommonJS module). Only a
 * `false` is acted on, so a miss here never rejects a good target.
 */
function exportsName(source: string, module: string, name: string): boolean | undefined {
  if (/\.c[jt]s$/.test(module) || /\bmodule\.exports\b|\bexports\.[\w$]|\bexports\[/.test(source)) return undefined;
  if (/\bexport\s*\*/.test(source)) return undefined;
  const n = escape(name);
  const patterns = [
    new RegExp(`\\bexport\\s+(?:declare\\s+)?(?:async\\s+)?(?:function\\s*\\*?|class|const|let|var)\\s*${n}(?![\\w$])`),
    new RegExp(`\\bexport\\s+(?:const|let|var)\\s[^;]*?[\\s,{:]${n}(?![\\w$])`),
    new RegExp(`\\bexport\\s*(?:type\\s*)?\\{[^}]*(?<![\\w$])${n}(?![\\w$])[^}]*\\}`),
    new RegExp(`\\bexport\\s+default\\s+(?:async\\s+)?(?:function\\s*\\*?\\s*|class\\s+)?${n}(?![\\w$])`),
  ];
  return patterns.some((pattern) => pattern.test(source));
}

/** Where `source` imports the binding `name` from: the module specifier and the exported name. */
function importOf(source: string, name: string): { from: string; name: string } | undefined {
  const n = escape(name);
  for (const match of source.matchAll(/\bimport\s+([^'";]*?)\s+from\s+['"]([^'"]+)['"]/g)) {
    const clause = match[1]!;
    const from = match[2]!;
    const named = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    for (const part of named.split(',')) {
      const [imported, local = imported] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      if (local?.trim() === name && imported) return { from, name: imported.trim() };
    }
    if (new RegExp(`^\\s*${n}\\s*(,|$)`).test(clause)) return { from, name: 'default' };
    const namespace = /\*\s+as\s+([\w$]+)/.exec(clause)?.[1];
    if (namespace && new RegExp(`(?<![\\w$.])${escape(namespace)}\\.${n}(?![\\w$])`).test(source)) return { from, name };
  }
  return undefined;
}

function refHint(from: string, name: string): string {
  return from.startsWith('.') ? `ref(new URL('${from}', import.meta.url), '${name}')` : `ref('${from}', '${name}')`;
}

/**
 * Checks in the parent what can be known there about a function target before a
 * child is started for it, so that the mistake is a `TypeError` at `start()`
 * rather than a child exiting 1: an anonymous or inline function (an arrow
 * function takes the name of the option it is written in: `target: () => …` is
 * named `target`), a bound or built-in function (`Math.max`, `cpus` from
 * `node:os`), and a function the calling module does not export (read from its
 * source text; when the text cannot tell, the child reports it as before).
 *
 * @param fn - the function the user passed
 * @param ref - where {@link toTaskRef} says it will be found
 * @param what - names the option in messages (`target`, `initializer`, `action`, `task`)
 * @throws TypeError saying what the function is and how to pass it instead
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function checkTarget(fn: Function, ref: TaskRef, what = 'target'): void {
  const text = Function.prototype.toString.call(fn);
  const native = /\{\s*\[native code\]\s*\}\s*$/.test(text);
  const inline = !native && !/^(?:async\s+)?(?:function\b|class\b)/.test(text);
  const fix = `define it as a named function exported from ${ref.module} (export function work() {…}) and pass it, or pass ref(moduleUrl, exportName)`;
  if (ref.name === '') {
    throw new TypeError(`The ${what} is an anonymous function, which cannot travel to a child (a child finds its ${what} by name in a module): ${fix}.`);
  }
  if (native && ref.name.startsWith('bound ')) {
    throw new TypeError(
      `The ${what} is a bound function (${ref.name}), which cannot travel to a child: export a named function that ` +
        `calls the original, and pass what you bound in \`args\`.`,
    );
  }
  const source = sourceOf(ref.module);
  const exported = source === undefined ? undefined : exportsName(source, ref.module, ref.name);
  if (exported !== false) return;
  const imported = importOf(source!, ref.name);
  if (imported) {
    throw new TypeError(
      `The ${what} \`${ref.name}\` is imported from '${imported.from}' into ${ref.module}, which does not export it, ` +
        `so a child cannot find it there: pass ${refHint(imported.from, imported.name)}.`,
    );
  }
  if (native) {
    throw new TypeError(
      `The ${what} \`${ref.name}\` is a built-in function (native code), not a function of ${ref.module}: a child ` +
        `cannot find it by name there. For a function of a Node.js module pass ref('node:<module>', '${ref.name}'); ` +
        `otherwise export a wrapper: export function ${ref.name}(...args) { return …${ref.name}(...args); }.`,
    );
  }
  if (inline && ref.name === what) {
    throw new TypeError(
      `The ${what} is an inline function (\`${what}: () => …\`): it is named \`${what}\` only after the option, and ` +
        `a child cannot find it by name. It must be a named function exported by its module: ${fix}.`,
    );
  }
  throw new TypeError(
    `The ${what} \`${ref.name}\` is not exported by ${ref.module}: export it (export function ${ref.name}…) so that ` +
      'the child can import it, or pass ref(moduleUrl, exportName) for a function exported elsewhere.',
  );
}
