import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
  /** `timeoutMs`: finite and >= 0, or Infinity. */
  wait(array: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  waitAsync(array: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  /** `count`: integer >= 0, or Infinity. */
  wake(array: Int32Array, index: number, count: number): number;
}

const ADDON_FILE = 'mp_native.node';

/** This package's root (the folder holding binding.gyp), from dist/ or src/internal/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
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

function load(): Addon | Error {
  if (process.platform !== 'linux') {
    return new NativeUnsupportedError(
      `Cross-process shared memory needs Linux (POSIX shared memory in /dev/shm and the futex system call); ` +
        `this is ${process.platform}. Share memory between worker threads of one process instead, or send plain data.`,
    );
  }
  const root = packageRoot();
  // binaries/<key>/ is where scripts/build.mjs installs a binary per Node ABI;
  // build/Release/ is node-gyp's own output, used when someone ran node-gyp directly.
  const candidates = [join(root, 'binaries', binaryKey(), ADDON_FILE), join(root, 'build', 'Release', ADDON_FILE)];
  const remedy =
    `Build it for this Node with \`pnpm --filter @mp/native rebuild\` (or \`node ${join(root, 'scripts', 'build.mjs')}\`); ` +
    'building needs python3, make, a C++ compiler and the headers of this Node.';
  const require = createRequire(import.meta.url);
  const mismatches: string[] = [];
  let failure: unknown;
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const addon = require(file) as Addon;
      // The binary uses V8's C++ API, which changes between Node majors: only the
      // ABI it was compiled for is safe (Node itself does not check this for
      // Node-API modules).
      if (String(addon.abi) === process.versions.modules) return addon;
      mismatches.push(`${file} is for ABI ${addon.abi}`);
    } catch (error) {
      failure = error;
      mismatches.push(`${file} failed to load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const found = mismatches.length > 0 ? ` (${mismatches.join('; ')})` : ` (looked for ${candidates.join(' and ')})`;
  return new NativeNotBuiltError(
    `The @mp/native addon is not built for Node ${process.version} (ABI ${process.versions.modules})${found}. ${remedy}`,
    failure === undefined ? undefined : { cause: failure },
  );
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
