import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('..', import.meta.url));
/** The workspace's tsx, by absolute path: what `npx tsx` runs from its own cache. */
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

let dir: string;

beforeAll(() => {
  // Outside the workspace: neither the program nor @mp/core can resolve `tsx` from here.
  dir = mkdtempSync(join(tmpdir(), 'mp-npx-tsx-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  cpSync(new URL('./outside/prog.ts', import.meta.url), join(dir, 'prog.ts'));
  // @mp/core copied as a tarball would install it (its dist only); @mp/native linked.
  const core = join(dir, 'node_modules', '@mp', 'core');
  mkdirSync(core, { recursive: true });
  cpSync(join(CORE, 'dist'), join(core, 'dist'), { recursive: true });
  cpSync(join(CORE, 'package.json'), join(core, 'package.json'));
  symlinkSync(fileURLToPath(new URL('../../native', import.meta.url)), join(dir, 'node_modules', '@mp', 'native'), 'dir');
  expect(() => createRequire(join(dir, 'prog.ts')).resolve('tsx/package.json')).toThrow();
  expect(() => createRequire(join(core, 'dist', 'index.js')).resolve('tsx/package.json')).toThrow();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runProgram(method: string, env: Record<string, string> = {}) {
  const coreUrl = pathToFileURL(join(dir, 'node_modules', '@mp', 'core', 'dist', 'index.js')).href;
  return spawnSync(process.execPath, [TSX_CLI, 'prog.ts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, MP_START_METHOD: '', MP_TSX_API: '', NODE_OPTIONS: '', MP_TEST_CORE: coreUrl, MP_TEST_METHOD: method, ...env },
  });
}

describe.each(['thread', 'process'] as const)('a program run with a tsx it cannot resolve (%s)', (method) => {
  it("runs a .ts target in the child with the parent's tsx", () => {
    const run = runProgram(method);
    expect(run.stderr).not.toMatch(/Install tsx|Cannot import/);
    expect(run.stdout).toContain(`child ran ${method} (${method.length})`);
    expect(run.stdout).toContain('exit 0');
    expect(run.status).toBe(0);
  });

  it("prints stack traces that point at the installed files, not at src/ (which is not shipped)", () => {
    const run = runProgram(method, { MP_TEST_MISSING: '1' });
    expect(run.stdout).toContain('exit 1');
    expect(run.stderr).toContain('`missing` is not exported');
    const frames = run.stderr.split('\n').filter((line) => line.includes('@mp/core'));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/@mp\/core\/dist\//);
  });
});
