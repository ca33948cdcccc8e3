import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the program was still running at the deadline (and was then killed). */
  readonly stillRunning: boolean;
}

/** Runs a program of fixtures/programs as its own Node process; kills it at `deadlineMs`. */
function run(name: string, deadlineMs: number, until?: string, startMethod = 'thread'): Promise<Run> {
  // Node ≥ 22.18 strips types natively; Node 20 runs .ts under tsx.
  const flags = (process.features as { typescript?: unknown }).typescript ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...flags, fileURLToPath(new URL(`./fixtures/programs/${name}.ts`, import.meta.url))], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MP_START_METHOD: startMethod },
  });
  let stdout = '';
  let stderr = '';
  let stillRunning = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    timer ??= setTimeout(() => {
      stillRunning = true;
      child.kill('SIGKILL');
    }, deadlineMs);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    // Measure "still alive" from the moment the program reached its wait, not from its start-up.
    if (until !== undefined && stdout.includes(until)) arm();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  if (until === undefined) arm();
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, stillRunning });
    });
  });
}

describe('a waiting consumer keeps a program alive only while it really waits', () => {
  it('a timed get that gave up leaves nothing behind: the program exits', async () => {
    const result = await run('timed-get', 20_000);
    expect(result.stderr).toBe('');
    expect(result.stillRunning).toBe(false);
    expect(result.stdout).toBe('empty\n1\n');
    expect(result.code).toBe(0);
  }, 30_000);

  it.each(['thread', 'process'])('a get waiting for a %s child’s item keeps the program alive until the item comes, then it exits', async (method) => {
    const result = await run('child-fulfils', 20_000, undefined, method);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('from child\n');
    expect(result.code).toBe(0);
  }, 30_000);

  it.each(['thread', 'process'])('a recv waiting for a %s child gets EOF when the child exits, and the program exits', async (method) => {
    const result = await run('pipe-eof', 20_000, undefined, method);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ready\neof\n');
    expect(result.code).toBe(0);
  }, 30_000);

  it.each(['thread', 'process'])('a daemon %s child blocked in getSync() does not keep the program alive', async (method) => {
    const result = await run('daemon-consumer', 20_000, undefined, method);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('started\n');
    expect(result.stillRunning).toBe(false);
  }, 30_000);

  // The one liveness check that cannot be synchronised: "still running after a while".
  it('a get nobody can satisfy is really waiting: the program stays alive', async () => {
    const result = await run('pending-forever', 500, 'waiting');
    expect(result.stdout).toBe('waiting\n');
    expect(result.stillRunning).toBe(true);
  }, 30_000);
});
