import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSupported, NativeNotBuiltError, NativeUnsupportedError, unsupportedReason } from '@mp/native';

const temporaries: string[] = [];
afterEach(() => {
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Probe {
  supported: boolean;
  reason: string | undefined;
  /** What createSegment() threw. */
  name: string;
  code: string;
  message: string;
}

/**
 * A copy of the package without its binaries (as after an install whose build
 * script was skipped), where `where` says: inside a user's project
 * (`node_modules/@mp/native`) or a checkout of this repository.
 */
function unbuiltCopy(where: 'dependency' | 'checkout'): string {
  const scratch = mkdtempSync(join(tmpdir(), 'mp-native-unbuilt-'));
  temporaries.push(scratch);
  const root = where === 'dependency' ? join(scratch, 'node_modules', '@mp', 'native') : join(scratch, 'native');
  mkdirSync(root, { recursive: true });
  const packageRoot = new URL('..', import.meta.url);
  cpSync(new URL('dist', packageRoot), join(root, 'dist'), { recursive: true });
  cpSync(new URL('package.json', packageRoot), join(root, 'package.json'));
  return root;
}

/** Runs a program against the copy at `root` and reports what it sees. */
function probe(root: string, execArgv: string[] = []): Probe {
  const file = join(root, 'probe.mjs');
  writeFileSync(
    file,
    `import { isSupported, unsupportedReason, createSegment } from './dist/index.js';
     let thrown; try { createSegment('/mp-never', 8); } catch (e) { thrown = e; }
     console.log(JSON.stringify({ supported: isSupported(), reason: unsupportedReason(),
       name: thrown?.name, code: thrown?.code, message: thrown?.message }));`,
  );
  return JSON.parse(execFileSync(process.execPath, [...execArgv, file], { encoding: 'utf8' })) as Probe;
}

const thisNode = `Node ${process.version} (ABI ${process.versions.modules})`;

describe('unsupportedReason()', () => {
  it('is undefined where shared segments work (Linux, addon built)', () => {
    expect(isSupported()).toBe(true);
    expect(unsupportedReason()).toBeUndefined();
  });

  it('names the platform and ABI no binary fits, and the one command that builds it in the user\'s project', () => {
    const root = unbuiltCopy('dependency');
    // Prebuilt for another ABI only, as the package would be on a Node it does not know yet.
    mkdirSync(join(root, 'prebuilds', 'linux-x64-abi1'), { recursive: true });
    writeFileSync(join(root, 'prebuilds', 'linux-x64-abi1', 'mp_native.node'), '');
    const result = probe(root);
    expect(result).toMatchObject({ supported: false, name: NativeNotBuiltError.name, code: 'ERR_MP_NATIVE_NOT_BUILT' });
    expect(result.reason).toBe(result.message);
    expect(result.reason).toContain(`no binary for ${process.platform}-${process.arch} with ${thisNode}`);
    expect(result.reason).toContain('prebuilt binaries here: linux-x64-abi1');
    expect(result.reason).toContain(`\`node ${join(root, 'scripts', 'build.mjs')}\``);
    expect(result.reason).not.toContain('--filter');
  });

  it('gives the workspace command in a checkout of this repository', () => {
    const result = probe(unbuiltCopy('checkout'));
    expect(result.code).toBe('ERR_MP_NATIVE_NOT_BUILT');
    expect(result.reason).toContain(`no binary for ${process.platform}-${process.arch} with ${thisNode}`);
    expect(result.reason).toContain('no prebuilt binaries here');
    expect(result.reason).toContain('pnpm --filter @mp/native run rebuild');
  });

  it('names the loader\'s error when the binary does not load', () => {
    const root = unbuiltCopy('dependency');
    const binary = join(root, 'binaries', `${process.platform}-${process.arch}-abi${process.versions.modules}`);
    mkdirSync(binary, { recursive: true });
    writeFileSync(join(binary, 'mp_native.node'), 'not an ELF file');
    const result = probe(root);
    expect(result.code).toBe('ERR_MP_NATIVE_NOT_BUILT');
    expect(result.reason).toContain(`failed to load on ${thisNode}`);
    expect(result.reason).toMatch(/invalid ELF header|file too short/);
    expect(result.reason).toContain(`\`node ${join(root, 'scripts', 'build.mjs')}\``);
  });

  it('names the platform when it is not Linux', () => {
    const root = unbuiltCopy('dependency');
    const preload = join(root, 'darwin.mjs');
    writeFileSync(preload, "Object.defineProperty(process, 'platform', { value: 'darwin' });");
    const result = probe(root, ['--import', preload]);
    expect(result).toMatchObject({ supported: false, name: NativeUnsupportedError.name, code: 'ERR_MP_NATIVE_UNSUPPORTED' });
    expect(result.reason).toBe(result.message);
    expect(result.reason).toContain('needs Linux');
    expect(result.reason).toContain('this is darwin');
  });
});
