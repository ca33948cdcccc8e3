import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This package's folder (holding package.json), from wherever the bundler put this code (dist/, dist/bin/, src/internal/). */
function packageDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`@mp/cluster cannot find its package.json above ${import.meta.url}`);
  }
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The module whose `runChunk` export is every local worker's task: {@link file://./../entry/chunk.ts}. */
export const CHUNK_MODULE: URL = pathToFileURL(join(packageDir(), FROM_SOURCE ? 'src/entry/chunk.ts' : 'dist/entry/chunk.js'));

/** The package's own folders: frames from there are never the caller of a Pool method. */
export const PACKAGE_ROOTS: readonly string[] = [pathToFileURL(join(packageDir(), 'dist')).href + '/', pathToFileURL(join(packageDir(), 'src')).href + '/'];
