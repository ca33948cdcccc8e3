// Shared objects' memory comes back: the soak script, short, in a 4 MiB arena, where a leak of one
// Queue per iteration (≈ 68 KiB) exhausts the arena within ~60 iterations. The long runs (200k
// iterations) are `pnpm --filter @mp/bench soak`, outside CI's time.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../src/soak/create-share-drop.mjs', import.meta.url));
const run = promisify(execFile);

async function soak(via: string, method: string, iterations: number): Promise<string> {
  const { stdout } = await run(process.execPath, [SOAK, '--via', via, '--start-method', method, '--iterations', String(iterations), '--report-every', String(iterations), '--max-growth', String(512 * 1024)], {
    env: { ...process.env, MP_SHARED_MEMORY_BYTES: '4MiB' },
    timeout: 240_000,
  });
  return stdout;
}

describe.each(['thread', 'process'] as const)('memory of shared objects stays flat (%s)', (method) => {
  it('Queue + Value + Lock + Event → pool.apply, 1,000 times', async () => {
    expect(await soak('pool', method, 1_000)).toMatch(/arena growth after warm-up: -?\d+ bytes/);
  }, 250_000);

  it('Queue + Value + Lock + Event → a Process, 80 times', async () => {
    expect(await soak('process', method, 80)).toMatch(/arena growth after warm-up: -?\d+ bytes/);
  }, 250_000);
});

describe('memory of unshared objects stays flat', () => {
  it('Queue + Value + Lock + Event made, used and dropped locally, 1,500 times', async () => {
    expect(await soak('local', 'thread', 1_500)).toMatch(/arena growth after warm-up: -?\d+ bytes/);
  }, 250_000);
});
