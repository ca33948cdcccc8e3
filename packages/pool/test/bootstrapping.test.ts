import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/top-level-pool.mjs', import.meta.url));
/** Far above a normal run (a few seconds), far below the test's own timeout. */
const HANG_GUARD_MS = 40_000;

/** Process groups started here: killed whole in afterAll, so that a failing test cannot leave a chain of pools behind. */
const groups = new Set<number>();

afterAll(() => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  }
});

/** Runs the fixture as a main program in its own process group; kills the group if it outlives the hang guard. */
function run(method: string, mode: 'pool' | 'process'): Promise<{ stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, MP_TEST_METHOD: method, MP_TEST_MODE: mode },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups.add(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const guard = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, HANG_GUARD_MS);
    child.on('close', () => {
      clearTimeout(guard);
      // Workers of the pool the fixture left (none if it ended cleanly) go with the group.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
      groups.delete(child.pid!);
      resolve({ stdout, stderr, timedOut });
    });
  });
}

const BOOTSTRAP = /Cannot start a process from a module that is being imported by a child: .*Put the new Pool\(\) call under `if \(isMain\(import\.meta\)\)`/;

describe.each(['thread', 'process'] as const)('a Pool created at the top level of a module a child imports (%s)', (method) => {
  it('a pool worker importing it for a task: the task fails with the bootstrapping error, nothing is started again', async () => {
    const { stdout, stderr, timedOut } = await run(method, 'pool');
    expect(timedOut, stderr).toBe(false);
    const line = stdout.trim().split('\n').at(-1)!;
    const error = JSON.parse(line) as { name: string; message: string; cause: string; code: string };
    expect(error.message).toMatch(BOOTSTRAP);
    expect(error.message).toContain('top-level-pool.mjs');
    expect(error.cause).toBe('ProcessStateError');
    expect(error.code).toBe('ERR_MP_PROCESS_STATE');
  });

  it('a Process importing it for its target: the child fails with the same error', async () => {
    const { stdout, stderr, timedOut } = await run(method, 'process');
    expect(timedOut, stderr).toBe(false);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ exitCode: 1 });
    expect(stderr).toMatch(BOOTSTRAP);
    expect(stderr).toContain('top-level-pool.mjs');
  });
});
