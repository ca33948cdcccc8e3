import { existsSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TaskRef } from '@mp/core';
import { describe } from '@mp/core/internal';

/**
 * A task's function as it travels between machines: an export of a module
 * named by its path inside the caller's package (the project checkout), or of
 * a package named by its bare specifier. Never a URL or an absolute path:
 * those mean nothing on another machine.
 */
export type RemoteTarget = { readonly path: string; readonly name: string } | { readonly package: string; readonly name: string };

const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;
const PACKAGE_SPECIFIER = /^(?:@[a-z0-9~][\w.~-]*\/)?[a-z0-9~][\w.~-]*(?:\/[\w.~-]+)*$/i;

/** The folder of the nearest package.json above `file`: the caller's package root. */
function packageRoot(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * In the caller: turns a {@link TaskRef} into a {@link RemoteTarget}.
 *
 * @throws TypeError for a module no other machine can find (a `node:`, `data:` or remote URL, or a file outside any package)
 */
export function toRemoteTarget(ref: TaskRef): RemoteTarget {
  const { module, name } = ref;
  if (module.startsWith('file:')) {
    const file = fileURLToPath(module);
    const root = packageRoot(file);
    if (root === undefined) {
      throw new TypeError(`The task's module ${module} is in no package (no package.json above it): a worker finds a module by its path inside the project, so put it in one`);
    }
    return { path: relative(root, file).split(sep).join('/'), name };
  }
  if (PACKAGE_SPECIFIER.test(module) && !module.split('/').includes('..')) return { package: module, name };
  throw new TypeError(
    `Expected the task's module to be a file of your project or a package name, got ${describe(module)}: a remote worker loads only ` +
      'modules of its project checkout (--root) and packages installed there',
  );
}

/** How a target reads in messages: `src/tasks.ts` or `package @acme/tasks`. */
export function showTarget(target: RemoteTarget): string {
  return 'path' in target ? target.path : `package ${target.package}`;
}

/** Why a job's target is refused or not found: the message names the module, the export and the root. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * In a worker: the URL of the module a job names, found under `root` only.
 * The job's data chooses the module, so nothing else is accepted: no absolute
 * paths, no `..`, no URLs (`data:`, `node:`, `http:`), no symlink out of the
 * root; packages by bare name, as `root` resolves them.
 *
 * @throws {@link TargetError} naming the module, the export and the root
 */
export function resolveTarget(root: string, target: unknown): { url: string; name: string; shown: string } {
  if (typeof target !== 'object' || target === null) throw new TargetError(`Expected a task target { path | package, name }, got ${describe(target)}`);
  const { path, package: pkg, name } = target as { path?: unknown; package?: unknown; name?: unknown };
  if (typeof name !== 'string' || !EXPORT_NAME.test(name)) throw new TargetError(`Expected the task's export to be a name, got ${describe(name)}`);
  if (typeof path === 'string' && pkg === undefined) {
    const shown = `${path} (export \`${name}\`)`;
    if (path === '' || isAbsolute(path) || path.includes('\\') || path.includes('\0') || /^[a-z][\w+.-]*:/i.test(path) || path.split('/').includes('..')) {
      throw new TargetError(`Refused the task's module ${describe(path)} (export \`${name}\`): a worker loads only files inside its root ${root}, by a relative path without '..'`);
    }
    const file = resolve(root, path);
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      throw new TargetError(
        `Cannot find the task's module ${shown} under the worker's root ${root}: start mp-worker with --root set to the project checkout that holds it`,
      );
    }
    const realRoot = realpathSync(root);
    if (!real.startsWith(realRoot + sep) || !statSync(real).isFile()) {
      throw new TargetError(`Refused the task's module ${shown}: it is not a file inside the worker's root ${root}`);
    }
    return { url: pathToFileURL(real).href, name, shown: `${shown} under ${root}` };
  }
  if (typeof pkg === 'string' && path === undefined) {
    const shown = `package ${pkg} (export \`${name}\`)`;
    if (!PACKAGE_SPECIFIER.test(pkg) || pkg.split('/').includes('..')) {
      throw new TargetError(`Refused the task's module ${describe(pkg)} (export \`${name}\`): a worker loads a package by its bare name only (no URL, node: or path)`);
    }
    try {
      return { url: pathToFileURL(createRequire(join(root, 'package.json')).resolve(pkg)).href, name, shown: `${shown} from ${root}` };
    } catch {
      throw new TargetError(`Cannot find the task's module ${shown} from the worker's root ${root}: install it there (npm install ${pkg}) or start mp-worker with the right --root`);
    }
  }
  throw new TargetError(`Expected a task target with either \`path\` or \`package\` (strings), got ${describe(target)}`);
}
