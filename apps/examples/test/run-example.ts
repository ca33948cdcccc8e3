import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../run.mjs', import.meta.url));

export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node ...args` and collects its output once its streams close; `what` names it in the
 * error when it does not finish within `timeoutMs` (it is then killed).
 */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv, what: string, timeoutMs: number): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs one example through the runner, as `pnpm examples NAME --start-method METHOD` does. */
export function runExample(name: string, method: 'thread' | 'process', timeoutMs = 60_000): Promise<ExampleRun> {
  return runNode([RUNNER, name, '--start-method', method], { ...process.env, MP_START_METHOD: '' }, `example ${name} (${method})`, timeoutMs);
}

/** The output's lines, without the trailing empty line. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');
}
