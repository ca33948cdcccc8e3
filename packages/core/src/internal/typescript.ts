import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { slot } from './runtime.js';

const TYPESCRIPT = /\.[mc]?tsx?$/;

/** True when Node strips TypeScript types itself (Node ≥ 22.18, or 22.6+ with the flag). */
function nativeTypeScript(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

function isTsxFlagValue(arg: string): boolean {
  return arg === 'tsx' || arg.startsWith('tsx/') || /[\\/]node_modules[\\/]tsx[\\/]dist[\\/]/.test(arg);
}

/**
 * The parent's `execArgv` without tsx's loader flags. A child registers tsx
 * itself when it meets a `.ts` module ({@link ensureTypeScript}), so a child
 * that imports only JavaScript does not pay for loading tsx.
 */
export function execArgvWithoutTsx(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const flag = /^--(import|require|loader|experimental-loader)(=(.*))?$/.exec(arg) ?? (arg === '-r' ? ['', 'require'] : null);
    if (flag && flag[3] !== undefined && isTsxFlagValue(flag[3])) continue;
    if (flag && flag[3] === undefined && isTsxFlagValue(execArgv[i + 1] ?? '')) {
      i++;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

interface PackageJson {
  exports?: Record<string, { import?: string | { default?: string } }>;
}

/** The URL of tsx's ESM API as seen from `base`, following tsx's `exports` map. */
function esmApi(base: string): string | undefined {
  let manifest: string;
  try {
    manifest = createRequire(base).resolve('tsx/package.json');
  } catch {
    return undefined;
  }
  const entry = (createRequire(base)(manifest) as PackageJson).exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  return file ? new URL(file, pathToFileURL(manifest)).href : undefined;
}

/**
 * Makes `.ts` modules importable in this child when Node cannot strip types
 * (Node 20): registers tsx's ESM hooks, resolved from the target module first
 * (the user's tsx), then from `@mp/core`. A worker thread never inherits its
 * parent's hooks, and a process child is started without them, so each child
 * registers its own — only when it meets TypeScript.
 */
export async function ensureTypeScript(moduleUrl: string): Promise<void> {
  if (!TYPESCRIPT.test(new URL(moduleUrl, 'file:///').pathname) || nativeTypeScript()) return;
  await slot('tsx', async () => {
    const bases = moduleUrl.startsWith('file:') ? [moduleUrl, import.meta.url] : [import.meta.url];
    for (const base of bases) {
      const api = esmApi(base);
      if (!api) continue;
      const { register } = (await import(api)) as { register: () => unknown };
      register();
      return;
    }
    throw new Error(
      `Cannot import the TypeScript module ${moduleUrl} in a child: this Node.js (${process.version}) cannot strip ` +
        'types. Install tsx (npm i -D tsx) and run the program with it, or use Node.js ≥ 22.18.',
    );
  });
}
