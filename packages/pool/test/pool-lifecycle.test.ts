import { cpuCount } from '@mp/core';
import { Pool, PoolBrokenError, PoolStateError, type AsyncResult, type PoolStats } from '@mp/pool';
import { describe, expect, it, vi } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const square = fx('square', 'square');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(['thread', 'process'] as const)('Pool lifecycle (%s)', (method) => {
  describe('chunking', () => {
    // With one worker replaced after every task, the workers that ran the items show the chunks.
    it('cuts map input in chunks of ceil(len / (4 × processes)), or chunksize', async () => {
      const pool = makePool({ processes: 1, maxtasksperchild: 1, context: method });
      const who = fx('who', 'whoAmI');
      const byDefault = (await pool.map(who, range(5))) as Array<{ ident: number }>;
      const groups = (list: Array<{ ident: number }>) => list.map((w) => list.findIndex((x) => x.ident === w.ident));
      expect(groups(byDefault)).toEqual([0, 0, 2, 2, 4]); // chunksize ceil(5 / 4) = 2
      const explicit = (await pool.map(who, range(5), 3)) as Array<{ ident: number }>;
      expect(groups(explicit)).toEqual([0, 0, 0, 3, 3]);
    });
  });

  describe('lifecycle', () => {
    it('checks its options as CPython does', () => {
      expect(() => new Pool({ processes: 0, context: method })).toThrow(/Number of processes must be at least 1/);
      expect(() => new Pool({ processes: -3, context: method })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, maxtasksperchild: 0, context: method })).toThrow(/maxtasksperchild/);
      expect(() => new Pool({ processes: 1, maxtasksperchild: 1.5, context: method })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, maxtasksperchild: '2' as never, context: method })).toThrow(TypeError);
      expect(() => new Pool({ processes: 1, initializer: 42 as never, context: method })).toThrow(TypeError);
      expect(() => new Pool({ processes: 1, context: 'fork' as never })).toThrow(TypeError);
    });

    it('rejects unknown options, naming the closest valid one', () => {
      expect(() => new Pool({ process: 4, context: method } as never)).toThrow(TypeError);
      expect(() => new Pool({ process: 4, context: method } as never)).toThrow(
        /Unknown Pool option `process` \(did you mean `processes`\?\): the valid options are `processes`, `initializer`, `initargs`, `maxtasksperchild`, `context`, `resourceLimits`/,
      );
      expect(() => new Pool({ processes: 1, context: method, maxTasksPerChild: 2 } as never)).toThrow(/did you mean `maxtasksperchild`/);
      expect(() => new Pool({ processes: 1, context: method, initializr: undefined } as never)).toThrow(/Unknown Pool option `initializr`/);
      expect(() => new Pool({ processes: 1, context: 'thread', resourceLimits: { maxOldGenerationSizeMB: 32 } } as never)).toThrow(
        /Unknown Pool resourceLimits option `maxOldGenerationSizeMB` \(did you mean `maxOldGenerationSizeMb`\?\)/,
      );
    });

    it('rejects unknown options of applyAsync, mapAsync and starmapAsync', async () => {
      const pool = makePool({ processes: 1, context: method });
      expect(() => pool.applyAsync(square, [2], { callbak: () => {} } as never)).toThrow(/Unknown applyAsync\(\) option `callbak` \(did you mean `callback`\?\)/);
      expect(() => pool.mapAsync(square, [2], undefined, { error_callback: () => {} } as never)).toThrow(TypeError);
      expect(() => pool.mapAsync(square, [2], undefined, { error_callback: () => {} } as never)).toThrow(/did you mean `errorCallback`/);
      expect(() => pool.starmapAsync(fx('square', 'add'), [[1, 2]], 1, { chunksize: 1 } as never)).toThrow(/Unknown starmapAsync\(\) option `chunksize`/);
      expect(await pool.applyAsync(square, [3], { callback: () => {} }).get()).toBe(9);
    });

    it('refuses work after close() and terminate(), and join() before them', async () => {
      const pool = makePool({ processes: 1, context: method });
      await expect(pool.join()).rejects.toThrow(/Pool is still running/);
      pool.close();
      await expect(pool.apply(square, [1])).rejects.toThrow(/Pool not running/);
      await expect(pool.map(square, [1])).rejects.toThrow(PoolStateError);
      await expect(pool.starmap(fx('square', 'add'), [[1, 2]])).rejects.toThrow(/Pool not running/);
      expect(() => pool.applyAsync(square, [1])).toThrow(/Pool not running/);
      expect(() => pool.mapAsync(square, [1])).toThrow(/Pool not running/);
      expect(() => pool.imap(square, [1])).toThrow(/Pool not running/);
      expect(() => pool.imapUnordered(square, [1])).toThrow(/Pool not running/);
      await pool.join();
      const other = makePool({ processes: 1, context: method });
      await other.terminate();
      expect(() => other.applyAsync(square, [1])).toThrow(/Pool not running/);
      await other.join();
    });

    it('after close(), queued work still finishes; join() waits for the workers', async () => {
      const pool = makePool({ processes: 2, context: method });
      const results: Array<AsyncResult<unknown>> = range(6).map((x) => pool.applyAsync(fx('forever', 'sleepEcho'), [x, 5]));
      const mapped = pool.map(square, range(30), 1);
      pool.close();
      await pool.join();
      expect(results.every((result) => result.ready() && result.successful())).toBe(true);
      expect(await Promise.all(results.map((result) => result.get()))).toEqual(range(6));
      expect(await mapped).toEqual(range(30).map((x) => x * x));
    });

    it('starts the held-back workers after the first answer, and none when closed in its continuation', async () => {
      // More workers than spare cores: the constructor starts max(1, cores − 1) and holds the rest back (README).
      const processes = cpuCount() + 1;
      const burst = Math.max(1, cpuCount() - 1);
      const total = ({ workers }: PoolStats) => workers.busy + workers.idle + workers.starting;
      const kept = makePool({ processes, context: method });
      expect(total(kept.stats())).toBe(burst);
      expect(await kept.apply(square, [3])).toBe(9);
      await vi.waitFor(() => expect(total(kept.stats())).toBe(processes), { timeout: 30_000 });
      // Closed in the continuation of its only answer: join() does not wait for workers started only to stop.
      const closed = makePool({ processes, context: method });
      expect(await closed.apply(square, [4])).toBe(16);
      closed.close();
      expect(total(closed.stats())).toBe(burst);
      await new Promise((resolve) => setImmediate(resolve));
      expect(total(closed.stats())).toBeLessThanOrEqual(burst);
      await closed.join();
      expect(total(closed.stats())).toBe(0);
    });

    it('Symbol.asyncDispose terminates the pool', async () => {
      const pool = makePool({ processes: 1, context: method });
      {
        await using scoped = pool;
        expect(await scoped.apply(square, [5])).toBe(25);
      }
      expect(() => pool.applyAsync(square, [1])).toThrow(/Pool not running/);
      await pool.join();
    });

    it('runs the initializer with initargs in every worker, once', async () => {
      const pool = makePool({ processes: 2, context: method, initializer: fx('init', 'init'), initargs: ['a', { b: 2 }] });
      const seen = (await pool.map(fx('init', 'initValue'), range(8), 1)) as Array<{ value: unknown; calls: number }>;
      for (const entry of seen) expect(entry).toEqual({ value: ['a', { b: 2 }], calls: 1 });
    });

    it('a failing initializer breaks the pool instead of respawning forever', async () => {
      const pool = makePool({ processes: 1, context: method, initializer: fx('init', 'badInit') });
      const error = await rejection(pool.apply(square, [2]));
      expect(error).toBeInstanceOf(PoolBrokenError);
      expect(error.message).toMatch(/initializer exploded/);
      expect(() => pool.applyAsync(square, [1])).toThrow(/Pool not running: it is broken/);
      await pool.join();
    });

    it('maxtasksperchild replaces a worker after that many tasks', async () => {
      const pool = makePool({ processes: 1, maxtasksperchild: 2, context: method });
      const seen: Array<{ name: string; pid: number; ident: number }> = [];
      for (let i = 0; i < 6; i++) seen.push((await pool.apply(fx('who', 'whoAmI'))) as (typeof seen)[number]);
      const idents = seen.map((w) => w.ident);
      expect(idents[0]).toBe(idents[1]);
      expect(idents[2]).toBe(idents[3]);
      expect(idents[4]).toBe(idents[5]);
      expect(new Set(idents).size).toBe(3);
      const prefix = method === 'thread' ? 'ThreadPoolWorker' : 'ProcessPoolWorker';
      for (const worker of seen) expect(worker.name).toMatch(new RegExp(`^${prefix}-\\d+$`));
      if (method === 'process') expect(new Set(seen.map((w) => w.pid)).size).toBe(3);
    });
  });
});
