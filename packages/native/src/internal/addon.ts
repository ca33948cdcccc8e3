import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeNotBuiltError, NativeUnsupportedError } from '../errors.js';

/** What `futexWait` reports. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** The addon's exports (addon/module.cc). Arguments are validated by the callers in src/. */
export interface Addon {
  /** NODE_MODULE_VERSION the binary was compiled for. */
  readonly abi: number;
  createSegment(name: string, bytes: number): SharedArrayBuffer;
  /** `bytes` 0 maps the whole segment. */
  openSegment(name: string, bytes: number): SharedArrayBuffer;
  unlinkSegment(name: string): boolean;
  /**
   * `prctl(PR_SET_PDEATHSIG, signal)`; `signal`: an integer from 0 to 64. Absent from
   * binaries built before it existed (a binary is rebuilt only when missing or older
   * than its sources), hence optional.
   */
  setParentDeathSignal?(signal: number): void;
  /** `timeoutMs`: finite and >= 0, or Infinity. */
  wait(array: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  waitAsync(array: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  /** `count`: integer >= 0, or Infinity. */
  wake(array: Int32Array, index: number, count: number): number;
}

const ADDON_FILE = 'mp_native.node';

/** This package's root (the nearest folder holding a package.json), from dist/ or src/internal/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** `linux-x64-abi115`: the binaries/ folder for the running Node. */
export function binaryKey(): string {
  return `${process.platform}-${process.arch}-abi${process.versions.modules}`;
}

let loaded: Addon | Error | undefined;
/** The addon once loaded: the hot path (every futex call) is one load and one test. */
let ready: Addon | undefined;

/**
 * The one command that builds the addon for the running Node, for where this copy
 * of the package lives: a dependency installed into someone's project (under
 * node_modules/, where the absolute path works whatever the package manager and
 * however deep it put the package), or this monorepo.
 */
function buildCommand(installed: boolean, root: string): string {
  const script = `node ${join(root, 'scripts', 'build.mjs')}`;
  if (installed) return `run \`${script}\` (needs python3, make and a C++ compiler)`;
  return `run \`pnpm --filter @mp/native run rebuild\` (or \`${script}\`), which needs python3, make, a C++ compiler and the headers of this Node`;
}

/** The keys of the prebuilt binaries this copy ships (`linux-x64-abi115`, …), sorted. */
function prebuiltKeys(root: string): string[] {
  try {
    return readdirSync(join(root, 'prebuilds'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, 'prebuilds', entry.name, ADDON_FILE)))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function load(): Addon | Error {
  if (process.platform !== 'linux') {
    return new NativeUnsupportedError(
      `Cross-process shared memory needs Linux (POSIX shared memory in /dev/shm and the futex system call), ` +
        `and this is ${process.platform}: use the 'thread' start method (worker threads share memory without it), or send plain data.`,
    );
  }
  const root = packageRoot();
  // binaries/<key>/: built here from source by scripts/build.mjs (the fallback, and
  // this repository's `build`), so it wins over prebuilds/<key>/, the binary the
  // package ships (scripts/prebuild.mjs); addon/build/Release/ is node-gyp's own
  // output, used when someone ran node-gyp directly.
  const candidates = [
    join(root, 'binaries', binaryKey(), ADDON_FILE),
    join(root, 'prebuilds', binaryKey(), ADDON_FILE),
    join(root, 'addon', 'build', 'Release', ADDON_FILE),
  ];
  const require = createRequire(import.meta.url);
  const foreign: string[] = [];
  let failure: unknown;
  let failed: string | undefined;
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const addon = require(file) as Addon;
      // The binary uses V8's C++ API, which changes between Node majors: only the
      // ABI it was compiled for is safe (Node itself does not check this for
      // Node-API modules).
      if (String(addon.abi) === process.versions.modules) return addon;
      foreign.push(`${file} is for ABI ${addon.abi}`);
    } catch (error) {
      failure ??= error;
      failed ??= `${file}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const node = `Node ${process.version} (ABI ${process.versions.modules})`;
  const installed = root.split(sep).includes('node_modules');
  const shipped = prebuiltKeys(root);
  const prebuilds = shipped.length > 0 ? `prebuilt binaries here: ${shipped.join(', ')}` : 'no prebuilt binaries here';
  const cause =
    failed !== undefined
      ? `The @mp/native addon failed to load on ${node}, ${process.platform}-${process.arch} (${failed})`
      : foreign.length > 0
        ? `The @mp/native addon was built for another Node, not for ${node} (${foreign.join('; ')})`
        : `The @mp/native addon has no binary for ${process.platform}-${process.arch} with ${node} ` +
          `(${binaryKey()}; ${prebuilds})`;
  return new NativeNotBuiltError(`${cause}. To build it, ${buildCommand(installed, root)}.`, failure === undefined ? undefined : { cause: failure });
}

/** Loads the addon once. Throws {@link NativeUnsupportedError} or {@link NativeNotBuiltError}. */
export function addon(): Addon {
  return ready ?? loadOrThrow();
}

function loadOrThrow(): Addon {
  loaded ??= load();
  if (loaded instanceof Error) throw loaded;
  ready = loaded;
  return ready;
}

/** The error {@link addon} would throw, or undefined when the addon is usable. */
export function addonError(): Error | undefined {
  loaded ??= load();
  return loaded instanceof Error ? loaded : undefined;
}
