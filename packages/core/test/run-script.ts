import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Node flags that run a .ts file: none where Node strips types, tsx elsewhere. */
export const TS_FLAGS: string[] = (process.features as { typescript?: unknown }).typescript ? [] : ['--import', 'tsx'];

/** Runs `test/scripts/NAME.ts` as a main program, as a user would, and collects its output. */
export function runScript(name: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ScriptRun> {
  const file = fileURLToPath(new URL(`./scripts/${name}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_FLAGS, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MP_START_METHOD: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`script ${name} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
