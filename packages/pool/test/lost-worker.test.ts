import { Pool, PoolTerminatedError, WorkerLostError } from '@mp/pool';
import { StartMethodError, allocateShared, waitAsync } from '@mp/core';
import { describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const square = fx('square', 'square');

describe.each(['thread', 'process'] as const)('lost workers and terminate (%s)', (method) => {
  it('a task that calls process.exit() fails; the worker is replaced; the task behind it runs', async () => {
    const pool = makePool({ processes: 1, context: method });
    const lost = pool.applyAsync(fx('exit', 'exitWith'), [3]);
    const behind = pool.applyAsync(square, [4]);
    const error = await rejection(lost.get());
    expect(error).toBeInstanceOf(WorkerLostError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/was lost while running a task: .*exit code 3/);
    expect(await behind.get()).toBe(16);
    expect(await pool.map(square, [1, 2, 3])).toEqual([1, 4, 9]);
  });

  it('an uncaught error outside the task (in a timer) loses the worker', async () => {
    const pool = makePool({ processes: 1, context: method });
    const error = await rejection(pool.apply(fx('exit', 'throwLater'), ['late boom']));
    expect(error).toBeInstanceOf(WorkerLostError);
    expect(error.exitCode).toBe(1);
    if (method === 'thread') expect(error.message).toMatch(/uncaught error outside the task .*late boom/);
    expect(await pool.apply(square, [5])).toBe(25);
  });

  it.runIf(method === 'process')('a worker killed by a signal is reported with the signal', async () => {
    const pool = makePool({ processes: 1, context: method });
    const { pid } = (await pool.apply(fx('who', 'whoAmI'))) as { pid: number };
    const flag = allocateShared(4).int32();
    const held = pool.applyAsync(fx('forever', 'foreverStarted'), [flag]);
    // Killed once the task runs (a task the worker never started would run on its replacement).
    while (Atomics.load(flag, 0) === 0) await waitAsync(flag, 0, 0, 30_000);
    process.kill(pid, 'SIGKILL');
    const error = await rejection(held.get());
    expect(error).toBeInstanceOf(WorkerLostError);
    expect(error.signal).toBe('SIGKILL');
    expect(error.message).toMatch(/killed by SIGKILL/);
    expect(await pool.apply(square, [6])).toBe(36);
    const selfKilled = await rejection(pool.apply(fx('exit', 'killSelf')));
    expect(selfKilled.exitCode).toBe(-9);
  });

  it.runIf(method === 'thread')('a worker that runs out of memory is reported and replaced', async () => {
    const pool = makePool({ processes: 1, context: method, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const error = await rejection(pool.apply(fx('hog-memory', 'hogMemory')));
    expect(error).toBeInstanceOf(WorkerLostError);
    expect(error.reason).toBe('out-of-memory');
    expect(error.message).toMatch(/ran out of memory/);
    expect(await pool.apply(square, [7])).toBe(49);
  });

  it.runIf(method === 'process')('a worker that runs out of memory (SIGABRT) is reported as out of memory', async () => {
    // A 'process' worker is a Node.js process: its heap is limited by NODE_OPTIONS, read when it is forked.
    const saved = process.env['NODE_OPTIONS'];
    process.env['NODE_OPTIONS'] = `${saved ?? ''} --max-old-space-size=48`;
    let pool;
    try {
      pool = makePool({ processes: 1, context: method });
    } finally {
      if (saved === undefined) delete process.env['NODE_OPTIONS'];
      else process.env['NODE_OPTIONS'] = saved;
    }
    const error = await rejection(pool.apply(fx('hog-memory', 'hogMemory')));
    expect(error).toBeInstanceOf(WorkerLostError);
    expect(error.signal).toBe('SIGABRT');
    expect(error.reason).toBe('out-of-memory');
    expect(error.message).toMatch(/aborted \(SIGABRT, exit code -6\)/);
    expect(await pool.apply(square, [8])).toBe(64);
  });

  it('terminate() ends a worker that ignores SIGTERM and blocks its thread', async () => {
    const pool = makePool({ processes: 1, context: method });
    const pid = (await pool.apply(fx('ignore-sigterm', 'ignoreSigterm'))) as number;
    const spinning = pool.applyAsync(fx('ignore-sigterm', 'spin'));
    await spinning.wait(0);
    let guard: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        pool.terminate().then(() => 'terminated'),
        new Promise((resolve) => (guard = setTimeout(resolve, 30_000, 'hung'))), // hang guard, far above the grace period
      ]);
      expect(outcome).toBe('terminated');
    } finally {
      clearTimeout(guard);
      if (method === 'process') {
        try {
          process.kill(pid, 'SIGKILL'); // only if the test failed: never leave it spinning
        } catch {
          // already gone, as it should be
        }
      }
    }
    expect(await rejection(spinning.get())).toBeInstanceOf(PoolTerminatedError);
    if (method === 'process') expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await pool.join();
  });

  it.runIf(method === 'process')('resourceLimits is refused under process', () => {
    expect(() => new Pool({ processes: 1, context: method, resourceLimits: { maxOldGenerationSizeMb: 32 } })).toThrow(StartMethodError);
  });

  it('terminate() returns promptly with thousands of queued tasks, and rejects them', async () => {
    const pool = makePool({ processes: 2, context: method });
    const forever = fx('forever', 'forever');
    const errors: unknown[] = [];
    const results = Array.from({ length: 3_000 }, () => pool.applyAsync(forever, [], { errorCallback: (e) => errors.push(e) }));
    const mapped = rejection(pool.map(forever, Array.from({ length: 1_000 }, (_, i) => i)));
    const iterator = pool.imap(forever, Array.from({ length: 100 }, (_, i) => i));
    const pending = rejection(iterator.next());
    await results[0]!.wait(0);
    await pool.terminate();
    expect(results.every((result) => result.ready() && !result.successful())).toBe(true);
    expect(errors).toHaveLength(3_000);
    expect(await rejection(results[2_999]!.get())).toBeInstanceOf(PoolTerminatedError);
    expect(await mapped).toBeInstanceOf(PoolTerminatedError);
    expect(await pending).toBeInstanceOf(PoolTerminatedError);
    await pool.join();
  });
});
