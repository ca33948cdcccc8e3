import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runtime, slot } from './runtime.js';

const TYPESCRIPT = /\.[mc]?tsx?$/;

/** True when Node strips TypeScript types itself (Node ≥ 22.18, or 22.6+ with the flag). */
function nativeTypeScript(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

function isTsxFlagValue(arg: string): boolean {
  return arg === 'tsx' || arg.startsWith('tsx/') || /[\\/]node_modules[\\/]tsx[\\/]dist[\\/]/.test(arg);
}

/** The `--import`/`--require`/`--loader` values in a list of Node.js flags. */
function loaderValues(flags: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    const flag = /^--(import|require|loader|experimental-loader)(=(.*))?$/.exec(arg) ?? (arg === '-r' ? ['', 'require'] : null);
    if (!flag) continue;
    const value = flag[3] ?? flags[++i];
    if (value !== undefined) values.push(value);
  }
  return values;
}

/** `NODE_OPTIONS` split into flags (Node splits on spaces, with double quotes for values that have some). */
function nodeOptionsFlags(options: string | undefined): string[] {
  if (!options) return [];
  return [...options.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
}

/** Where `process.env` carries the parent's tsx to its process children (which start without tsx's flags). */
const TSX_ENV = 'MP_TSX_API';

/**
 * The URL of tsx's ESM API in the tsx install that one of these loader flag
 * values names: a path or `file:` URL inside that install
 * (`…/node_modules/tsx/dist/loader.mjs`, as `npx tsx prog.ts` passes), or a
 * bare `tsx…` specifier, resolved from `cwd` as Node resolves `--import`.
 */
function tsxApiFromFlags(values: readonly string[], cwd: string): string | undefined {
  for (const value of values) {
    if (!isTsxFlagValue(value)) continue;
    if (value === 'tsx' || value.startsWith('tsx/')) {
      const api = esmApi(pathToFileURL(`${cwd}/`).href);
      if (api) return api;
      continue;
    }
    const file = value.startsWith('file:') ? fileURLToPath(value) : value;
    // Up from the loader file to the install's package.json.
    for (let dir = dirname(file), i = 0; i < 6 && dir !== dirname(dir); dir = dirname(dir), i++) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const api = apiOf(manifest);
      if (api) return api;
      break;
    }
  }
  return undefined;
}

/**
 * The ESM API of the tsx that runs this program (or its parent): named by
 * {@link TSX_ENV} when a parent passed it on, else found in this isolate's
 * `execArgv` (a worker thread inherits its parent's) or `NODE_OPTIONS`.
 * `npx tsx prog.ts` runs a tsx that the program's own directory may not be
 * able to resolve: children must use that one.
 */
export function parentTsxApi(): string | undefined {
  const passed = process.env[TSX_ENV];
  if (passed) return passed;
  return tsxApiFromFlags([...loaderValues(process.execArgv), ...loaderValues(nodeOptionsFlags(process.env['NODE_OPTIONS']))], process.cwd());
}

/**
 * The parent's `execArgv` without tsx's loader flags. A child registers tsx
 * itself when it meets a `.ts` module ({@link ensureTypeScript}), so a child
 * that imports only JavaScript does not pay for loading tsx. Which tsx the
 * parent runs is passed on in `process.env.MP_TSX_API` (process children inherit
 * this process's environment), so that the child registers the same one.
 */
export function execArgvWithoutTsx(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const flag = /^--(import|require|loader|experimental-loader)(=(.*))?$/.exec(arg) ?? (arg === '-r' ? ['', 'require'] : null);
    if (flag && flag[3] !== undefined && isTsxFlagValue(flag[3])) {
      dropped.push(flag[3]);
      continue;
    }
    if (flag && flag[3] === undefined && isTsxFlagValue(execArgv[i + 1] ?? '')) {
      dropped.push(execArgv[++i]!);
      continue;
    }
    kept.push(arg);
  }
  if (dropped.length > 0 && !process.env[TSX_ENV]) {
    const api = tsxApiFromFlags(dropped, process.cwd());
    if (api) process.env[TSX_ENV] = api;
  }
  return kept;
}

interface PackageJson {
  name?: string;
  exports?: Record<string, { import?: string | { default?: string } }>;
}

/** The URL of the ESM API of the tsx install whose `package.json` is `manifest`, following its `exports` map. */
function apiOf(manifest: string): string | undefined {
  let json: PackageJson;
  try {
    json = JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
  if (json.name !== 'tsx') return undefined;
  const entry = json.exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  return file ? new URL(file, pathToFileURL(manifest)).href : undefined;
}

/** The URL of tsx's ESM API as seen from `base`. */
function esmApi(base: string): string | undefined {
  try {
    return apiOf(createRequire(base).resolve('tsx/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * Parent side: the URL of the tsx ESM API that a child would register to
 * import `moduleUrl` ({@link ensureTypeScript}'s choice), or `undefined` when
 * the module is not TypeScript or Node strips types itself. Warm spares load it
 * ahead of need.
 */
export function tsxApiFor(moduleUrl: string): string | undefined {
  if (!TYPESCRIPT.test(new URL(moduleUrl, 'file:///').pathname) || nativeTypeScript()) return undefined;
  const bases = moduleUrl.startsWith('file:') ? [moduleUrl, import.meta.url] : [import.meta.url];
  return parentTsxApi() ?? bases.map(esmApi).find((api) => api !== undefined);
}

/**
 * Parent side: the tsx a spare should load before it is needed — the one the
 * parent program runs under (`npx tsx prog.ts`), where Node cannot strip types.
 */
export function tsxApiOfParent(): string | undefined {
  return nativeTypeScript() ? undefined : parentTsxApi();
}

/**
 * Whether this isolate can import `moduleUrl` now without registering tsx:
 * it is JavaScript, Node strips types, or tsx is registered already.
 */
export function canImportNow(moduleUrl: string): boolean {
  return !TYPESCRIPT.test(new URL(moduleUrl, 'file:///').pathname) || nativeTypeScript() || runtime().slots.has('tsx');
}

/**
 * In a warm spare: registers tsx's hooks from `api` now, while the spare waits,
 * so that the child it becomes does not pay for it when it meets TypeScript
 * ({@link ensureTypeScript} then finds them registered). A failure is left to
 * that later call, which reports it.
 */
export async function preloadTypeScript(api: string): Promise<void> {
  if (nativeTypeScript()) return;
  try {
    await slot('tsx', async () => {
      const { register } = (await import(api)) as { register: () => unknown };
      register();
    });
  } catch {
    runtime().slots.delete('tsx');
  }
}

/**
 * Makes `.ts` modules importable in this child when Node cannot strip types
 * (Node 20): registers tsx's ESM hooks — the tsx that runs the parent program
 * first ({@link parentTsxApi}: `npx tsx prog.ts` runs one the program cannot
 * resolve), else the one the target module resolves (the user's tsx), else
 * `@mp/core`'s. A worker thread never inherits its parent's hooks, and a
 * process child is started without them, so each child registers its own —
 * only when it meets TypeScript.
 */
export async function ensureTypeScript(moduleUrl: string): Promise<void> {
  if (!TYPESCRIPT.test(new URL(moduleUrl, 'file:///').pathname) || nativeTypeScript()) return;
  await slot('tsx', async () => {
    const bases = moduleUrl.startsWith('file:') ? [moduleUrl, import.meta.url] : [import.meta.url];
    const candidates = [parentTsxApi(), ...bases.map(esmApi)];
    for (const api of candidates) {
      if (!api) continue;
      const { register } = (await import(api)) as { register: () => unknown };
      register();
      return;
    }
    throw new Error(
      `Cannot import the TypeScript module ${moduleUrl} in a child: this Node.js (${process.version}) cannot strip ` +
        'types, and no tsx was found — not in the parent\'s flags (execArgv, NODE_OPTIONS), nor from the module, nor ' +
        'from @mp/core. Run the program with tsx (npx tsx prog.ts, or npm i -D tsx), or use Node.js ≥ 22.18.',
    );
  });
}
