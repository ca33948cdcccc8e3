// Packs every @mp package, installs the tarballs with npm into a fresh project
// outside the workspace, and runs a program there: proof that the packages
// work installed one by one, with nothing borrowed from the workspace.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGES = ['core', 'native', 'sync', 'ipc', 'shared', 'pool', 'managers', 'cluster'];
/** Packages whose third-party dependencies (BullMQ, ioredis) come from the npm registry, not from a tarball. */
const FROM_REGISTRY = new Set(['cluster']);
const OFFLINE = PACKAGES.filter((name) => !FROM_REGISTRY.has(name));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const scratch = mkdtempSync(join(tmpdir(), 'mp-pack-'));
const project = join(scratch, 'project');
const tarballs: Record<string, string> = {};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  for (const name of PACKAGES) {
    run('pnpm', ['pack', '--pack-destination', scratch], join(ROOT, 'packages', name));
  }
  for (const file of readdirSync(scratch)) {
    const match = /^mp-(\w+)-\d.*\.tgz$/.exec(file);
    if (match) tarballs[match[1]!] = join(scratch, file);
  }
  writeFileSync(join(scratch, 'package.json'), '{}');
  for (const program of ['consumer.mjs', 'cluster-consumer.mjs']) {
    cpSync(fileURLToPath(new URL(`./${program}`, import.meta.url)), join(project, program));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --offline: everything of ours comes from the tarballs; nothing may be fetched.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...OFFLINE.map((name) => tarballs[name]!)], project);
  // @mp/cluster's own dependencies (bullmq, ioredis) are fetched as a user's install would.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...[...FROM_REGISTRY].map((name) => tarballs[name]!)], project);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('packed packages', () => {
  it('has one tarball per package, holding dist and no sources or tests', () => {
    expect(Object.keys(tarballs).sort()).toEqual([...PACKAGES].sort());
    for (const name of PACKAGES) {
      const files = run('tar', ['-tzf', tarballs[name]!], scratch).split('\n');
      expect(files).toContain('package/package.json');
      expect(files.some((file) => file.startsWith('package/dist/'))).toBe(true);
      expect(files.some((file) => file.startsWith('package/test/') || file.startsWith('package/src/'))).toBe(false);
    }
  });

  it.each(PACKAGES)('@mp/%s passes publint and are-the-types-wrong (ESM only)', (name) => {
    const dir = join(ROOT, 'packages', name);
    run(join(BIN, 'publint'), ['--strict'], dir);
    run(join(BIN, 'attw'), [tarballs[name]!, '--profile', 'esm-only', '--format', 'table-flipped'], dir);
  });

  it.each(['thread', 'process'])('runs a Process, a Queue round trip and a Pool map once installed (%s)', (method) => {
    const result = spawnSync(process.execPath, ['consumer.mjs'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, MP_START_METHOD: method },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('echo hello\nexitcode=0\n[1,4,9]\n');
    expect(result.status).toBe(0);
  });

  it('@mp/cluster installs with its mp-worker bin, and an unreachable Redis is a clear error', () => {
    const help = spawnSync(join(project, 'node_modules', '.bin', 'mp-worker'), ['--help'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(help.stdout).toContain('Usage: mp-worker');
    expect(help.status).toBe(0);
    const result = spawnSync(process.execPath, ['cluster-consumer.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toBe('ClusterConnectionError\n');
    expect(result.status).toBe(0);
  });
});
