import { spawn as spawnProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from '@mp/sync';
import { cleanup, exitCodes, spawn } from './helpers.ts';

afterEach(cleanup);

const make = {
  Lock: () => new Lock(),
  RLock: () => new RLock(),
  Semaphore: () => new Semaphore(2),
  BoundedSemaphore: () => new BoundedSemaphore(2),
  Event: () => new Event(),
  Condition: () => new Condition(),
  Barrier: () => new Barrier(2),
};
const names = Object.keys(make) as (keyof typeof make)[];

describe.each(['thread', 'process'] as const)('passing primitives to a child (%s)', (method) => {
  it('arrives as an object of the same class (nested in an object)', async () => {
    const values = names.map((name) => make[name]());
    expect(await exitCodes(spawn('identity', 'checkNested', [names, { items: values }], method))).toEqual([0]);
  });
});

/** Runs `test/scripts/NAME.ts` as a main program (tsx where Node cannot strip types). */
function runScript(name: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const flags = (process.features as { typescript?: unknown }).typescript ? [] : ['--import', 'tsx'];
  const file = fileURLToPath(new URL(`./scripts/${name}.ts`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawnProcess(process.execPath, [...flags, file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a process-local arena (MP_SHARED_MEMORY=local)', () => {
  it("refuses every primitive for a 'process' child with StartMethodError naming the start method", async () => {
    const { code, stdout, stderr } = await runScript('local-memory', { MP_SHARED_MEMORY: 'local', MP_START_METHOD: '' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual(names);
    for (const line of lines) expect(line).toMatch(/: StartMethodError: .*'process' start method/);
  });
});
