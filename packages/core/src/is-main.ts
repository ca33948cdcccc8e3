import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { isChild } from './internal/runtime.js';

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

let entry: string | null | undefined;
function entryFile(): string | null {
  if (entry === undefined) {
    const arg = process.argv[1];
    entry = arg ? (realpath(arg) ?? null) : null;
  }
  return entry;
}

/**
 * True only in the entry module of the main program: false in every child
 * (thread or process) and in every module the entry imports. Guard the code
 * that starts children with it, so that a child importing the module to find
 * its target does not start children again.
 *
 * Python: `if __name__ == '__main__':`.
 *
 * @param meta - the calling module's `import.meta`
 * @returns whether that module is the main program's entry
 * @example
 * ```ts
 * export function work(n: number) { console.log(n); }
 * if (isMain(import.meta)) new Process({ target: work, args: [1] }).start();
 * ```
 */
export function isMain(meta: ImportMeta): boolean {
  if (isChild() || !isMainThread) return false;
  const native = (meta as ImportMeta & { main?: unknown }).main;
  if (typeof native === 'boolean') return native;
  if (!meta.url.startsWith('file:')) return false;
  const file = realpath(fileURLToPath(meta.url));
  return file !== undefined && file === entryFile();
}
