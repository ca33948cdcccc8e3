// When a worker dies, the pool knows exactly which of its tasks had started: those reject with
// WorkerLostError (the one running, and any whose result was still on its way out), the others
// run on another worker — and no task ever runs twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateShared } from '@mp/core';
import { arenaUsage, sweep } from '@mp/core/internal';
import { Pool, WorkerLostError } from '@mp/pool';
import { afterAll, describe, expect, it } from 'vitest';
import { fx } from './helpers.ts';

const runOnce = fx('exit-once', 'runOnce');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(['thread', 'process'] as const)('a worker lost among many tasks (%s)', (method) => {
  it('fails only tasks it had started, runs the rest elsewhere, runs none twice, and frees their shared memory', async () => {
    const pool = new Pool({ processes: 1, context: method });
    try {
      // Warm: the worker is ready and batches results, as it does under load.
      await Promise.all(Array.from({ length: 200 }, (_, i) => pool.apply(runOnce, [i, -1, mkdtempSync(join(tmpdir(), 'mp-warm-'))])));
      const dir = mkdtempSync(join(tmpdir(), 'mp-lost-'));
      dirs.push(dir);
      // This isolate's list of what it holds grows to its size for 300 objects, and stays so.
      Array.from({ length: 300 }, () => allocateShared(64));
      await new Promise((resolve) => setTimeout(resolve, 20));
      sweep();
      const before = arenaUsage().inUse;
      const k = 150;
      const settled = await Promise.allSettled(
        Array.from({ length: 300 }, (_, i) => pool.apply(runOnce, [i, k, dir, allocateShared(64)])),
      );
      const runs = readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').map(Number);
      expect(runs.length).toBe(new Set(runs).size); // nothing ran twice
      const rejected = settled.flatMap((s, i) => (s.status === 'rejected' ? [i] : []));
      expect(rejected).toContain(k);
      for (const i of rejected) {
        const reason = (settled[i] as PromiseRejectedResult).reason as Error;
        expect(reason).toBeInstanceOf(WorkerLostError);
        expect(reason.message).toContain('ProcessPoolWorker-'.replace('Process', method === 'thread' ? 'Thread' : 'Process'));
        expect(i).toBeLessThanOrEqual(k); // a task after the lost one never started there
      }
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') expect(s.value).toBe(i);
      });
      expect(await pool.apply(runOnce, [1_000, -1, dir])).toBe(1_000);
      await pool.terminate();
      // The regions of every task came back once the workers were gone (and none was freed twice:
      // a double free would corrupt the allocator, and this allocation would throw).
      for (let i = 0; i < 3; i++) {
        sweep();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(arenaUsage().inUse).toBeLessThanOrEqual(before);
      expect(allocateShared(64).byteLength).toBe(64);
    } finally {
      await pool.terminate();
    }
  }, 120_000);
});
