import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { slot } from './runtime.js';

const TYPESCRIPT = /\.[mc]?tsx?$/;

/** True when Node strips TypeScript types itself (Node ≥ 22.18, or 22.6+ with the flag). */
function nativeTypeScript(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** True when tsx's loader is already active in this process (the parent ran under tsx and fork inherited it). */
function tsxInherited(): boolean {
  return process.execArgv.some(
    (arg) => arg === 'tsx' || arg.startsWith('tsx/') || /[\\/]node_modules[\\/]tsx[\\/]dist[\\/]/.test(arg),
  );
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
 * (the user's tsx), then from @mp/core. A worker thread never inherits its
 * parent's hooks, so each thread child registers its own.
 */
export async function ensureTypeScript(moduleUrl: string, method: 'thread' | 'process'): Promise<void> {
  if (!TYPESCRIPT.test(new URL(moduleUrl, 'file:///').pathname) || nativeTypeScript()) return;
  if (method === 'process' && tsxInherited()) return;
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
