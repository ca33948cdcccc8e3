// The runner behind `pnpm examples`: a wrong name or start method gets one line that says
// what to type, and a non-zero exit — before any build starts, and with nothing else printed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('../run.mjs', import.meta.url));
const HANG_GUARD_MS = 30_000;

function run(...args: string[]) {
  return spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: HANG_GUARD_MS });
}

describe('pnpm examples', () => {
  it('an unknown example name prints the one line that lists the names, and exits 2 without building', () => {
    const result = run('--build', 'nope');
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Unknown example nope: choose from process, pool, queue, lock, semaphore, event, pipe, value-array, shared-memory, listener-client, manager (or, by name only, cluster)\n',
    );
    expect(result.status).toBe(2);
  });

  it('an unknown start method prints one line, and exits 2 without building', () => {
    const result = run('--build', 'pool', '--start-method', 'fork');
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("Unknown start method 'fork': use --start-method thread or --start-method process\n");
    expect(result.status).toBe(2);
  });
});
