import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processStartTime } from '@mp/native';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript, TS_FLAGS } from './run-script.ts';

const SCRIPT = fileURLToPath(new URL('./scripts/spares.ts', import.meta.url));
const HANG_GUARD_MS = 30_000;

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

/** Gone: no such process, or a zombie nobody reaped yet (it runs no code). */
const isGone = (pid: number) => processStartTime(pid) === undefined;

describe.each(['thread', 'process'] as const)('warm spares in a program (%s)', (method) => {
  it("a child's output, stdout and stderr, is out before its join() resolves; idle spares do not keep the program alive", async () => {
    // The program ends by itself with its spares idle: if they held its event loop, the hang guard would fire.
    const run = await runScript('spares', ['output'], { MP_START_METHOD: method, MP_SPARES: '2' }, HANG_GUARD_MS);
    expect(run.code).toBe(0);
    // All the filler is there, and before each join.
    expect(run.stdout.split('\n').filter((line) => line.startsWith('.')).length).toBe(3 * 64);
    for (const stream of [run.stdout, run.stderr]) {
      const lines = stream.split('\n').filter((line) => /^(child|joined)/.test(line));
      const kind = stream === run.stdout ? 'out' : 'err';
      expect(lines).toEqual([0, 1, 2].flatMap((i) => [`child ${i} ${kind}`, `joined ${i}`]));
    }
  });

  it('a program that never starts a child starts no spare', async () => {
    const run = await runScript('spares', ['lazy'], { MP_START_METHOD: method, MP_SPARES: '2' }, HANG_GUARD_MS);
    expect(run.code).toBe(0);
    const [, before, after, children] = /threads (\d+) (\d+) children (\d+)/.exec(run.stdout) ?? [];
    expect(Number(after)).toBe(Number(before));
    expect(Number(children)).toBe(0);
  });

  it('SIGKILL of the program ends its spares', async () => {
    const child = spawn(process.execPath, [...TS_FLAGS, SCRIPT, 'orphans'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MP_START_METHOD: method, MP_SPARES: '2' },
    });
    leftovers.push(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const spares = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no spares reported:\n${stdout}\n${stderr}`)), HANG_GUARD_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        const match = /^spares ([\d ]+)$/m.exec(stdout);
        if (!match) return;
        clearTimeout(timer);
        resolve(match[1]!.split(' ').map(Number));
      });
    });
    leftovers.push(...spares);
    expect(spares.every((pid) => !isGone(pid))).toBe(true);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await ended).toBe('SIGKILL');
    await expect.poll(() => spares.filter((pid) => !isGone(pid)), { timeout: HANG_GUARD_MS, interval: 20 }).toEqual([]);
  });
});
