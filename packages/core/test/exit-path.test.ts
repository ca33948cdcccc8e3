import { spawn } from 'node:child_process';
import { processStartTime } from '@mp/native';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TS_FLAGS } from './run-script.ts';

const SCRIPT = fileURLToPath(new URL('./scripts/children-die.ts', import.meta.url));
const HANG_GUARD_MS = 30_000;
/** How long children may take to die once their parent was SIGKILLed (the kernel signals them at once). */
const PARENT_DEATH_LIMIT_MS = 5_000;

/** Gone: no such process, or a zombie nobody reaped yet (it runs no code). */
function isGone(pid: number): boolean {
  return processStartTime(pid) === undefined;
}

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

interface Program {
  readonly main: number;
  readonly children: number[];
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the script; resolves once the main program and both children said they run. */
function startProgram(method: string, mode: string): Promise<Program> {
  const child = spawn(process.execPath, [...TS_FLAGS, SCRIPT, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MP_START_METHOD: method },
  });
  let stdout = '';
  let stderr = '';
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the program did not start:\n${stdout}\n${stderr}`)), HANG_GUARD_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const main = /^main (\d+)$/m.exec(stdout);
      const children = [...stdout.matchAll(/^running (\d+)$/gm)].map((match) => Number(match[1]));
      if (main && children.length === 2) {
        clearTimeout(timer);
        leftovers.push(Number(main[1]), ...children);
        resolve({ main: Number(main[1]), children, ended });
      }
    });
    void ended.then(() => reject(new Error(`the program ended early:\n${stdout}\n${stderr}`)));
  });
}

async function expectAllGone(pids: number[], timeout = HANG_GUARD_MS): Promise<void> {
  await expect.poll(() => pids.filter((pid) => !isGone(pid)), { timeout, interval: 20 }).toEqual([]);
}

describe.each(['thread', 'process'] as const)('children die with their parent (%s)', (method) => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s to the main program alone ends it by that signal, and ends its busy children, daemon or not',
    async (signal) => {
      const program = await startProgram(method, 'busy');
      process.kill(program.main, signal);
      const { signal: ending } = await program.ended;
      expect(ending).toBe(signal);
      await expectAllGone(program.children);
    },
  );

  it("leaves the signal to the program's own handler, and its exit still ends the children", async () => {
    const program = await startProgram(method, 'own-handler');
    process.kill(program.main, 'SIGTERM');
    const { code, stdout } = await program.ended;
    expect(stdout).toContain('user handler\n');
    expect(code).toBe(7);
    await expectAllGone(program.children);
  });

  // Issue 13 item 9: a deliberate departure from Python, which joins non-daemon
  // children after an uncaught exception (see the README, "Exit").
  it('an uncaught error in the main program exits 1 and ends every child at once, non-daemon too', async () => {
    const program = await startProgram(method, 'uncaught');
    process.kill(program.main, 'SIGUSR2');
    const { code, stderr } = await program.ended;
    expect(code).toBe(1);
    expect(stderr).toContain('boom in the main program');
    await expectAllGone(program.children);
  });

  it.runIf(method === 'process')('SIGKILL of the main program ends its idle children (their IPC channel closes)', async () => {
    const program = await startProgram(method, 'idle');
    process.kill(program.main, 'SIGKILL');
    expect((await program.ended).signal).toBe('SIGKILL');
    await expectAllGone(program.children);
  });

  // No event loop runs in these children to see the IPC channel close: the kernel
  // kills them (PR_SET_PDEATHSIG, set by each 'process' child at boot). The signal
  // is sent as the parent dies, so "a few seconds" is only room for a loaded machine.
  it.runIf(method === 'process')('SIGKILL of the main program ends its children busy in synchronous code within seconds', async () => {
    const program = await startProgram(method, 'busy');
    process.kill(program.main, 'SIGKILL');
    expect((await program.ended).signal).toBe('SIGKILL');
    await expectAllGone(program.children, PARENT_DEATH_LIMIT_MS);
  });
});
