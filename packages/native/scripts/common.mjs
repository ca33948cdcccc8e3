// What scripts/build.mjs (a binary for the running Node) and scripts/prebuild.mjs
// (the binaries the package ships) share: where the sources are, their hash, the
// prebuilds' manifest, and how to run node-gyp.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root (holds package.json, addon/, prebuilds/, binaries/). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The addon's sources and its binding.gyp (kept out of the root: see the comment there). */
export const addonDir = join(root, 'addon');
export const ADDON_FILE = 'mp_native.node';
export const MANIFEST = join(root, 'prebuilds', 'manifest.json');

function sourceFiles() {
  return readdirSync(addonDir)
    .filter((name) => /\.(cc|h|gyp)$/.test(name))
    .sort();
}

/** The newest modification time of the sources, for `build.mjs --if-needed`. */
export function newestSource() {
  return Math.max(...sourceFiles().map((name) => statSync(join(addonDir, name)).mtimeMs));
}

/** sha256 of the sources (names and contents), recorded with the prebuilds to tell whether they are current. */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const name of sourceFiles()) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(addonDir, name)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** prebuilds/manifest.json (written by prebuild.mjs), or undefined. */
export function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
}

/** How to run node-gyp: [command, ...leading args], or undefined. */
export function nodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) {
    return fromEnv.endsWith('.js') ? [process.execPath, fromEnv] : [fromEnv];
  }
  try {
    return [process.execPath, createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    // Not a dependency; look further.
  }
  // npm and pnpm put their bundled node-gyp on PATH for lifecycle scripts.
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'node-gyp'))) return [join(dir, 'node-gyp')];
  }
  const prefix = resolve(dirname(process.execPath), '..');
  for (const candidate of [
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/lib/node_modules/pnpm/dist/node_modules/node-gyp/bin/node-gyp.js',
  ]) {
    if (existsSync(candidate)) return [process.execPath, candidate];
  }
  return undefined;
}

/** The environment for node-gyp: without npm's `nodedir` (this machine's npmrc names Node 20's headers). */
export function gypEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.npm_config_nodedir;
  delete env.NPM_CONFIG_NODEDIR;
  return env;
}
