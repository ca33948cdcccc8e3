import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateShared, StartMethodError } from '@mp/core';
import { Pool } from '@mp/pool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cubes, callHidden } from './fixtures/plain-caller.ts';
import { fx, rejection } from './helpers.ts';

const square = fx('square', 'square');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(['thread', 'process'] as const)('Pool (%s)', (method) => {
  // One pool for the tests that leave it as they found it (starting workers is what costs).
  let shared: Pool;
  beforeAll(() => {
    shared = new Pool({ processes: 2, context: method });
  });
  afterAll(async () => {
    await shared.terminate();
  });

  describe('results', () => {
    it('apply, applyAsync, map, starmap give results in order', async () => {
      const pool = shared;
      expect(await pool.apply(square, [7])).toBe(49);
      expect(await pool.applyAsync(square, [10]).get(10_000)).toBe(100);
      expect(await pool.map(square, range(10))).toEqual(range(10).map((x) => x * x));
      expect(await pool.map(square, new Set([3, 4]))).toEqual([9, 16]);
      expect(await pool.map(square, [])).toEqual([]);
      expect(await pool.starmap(fx('square', 'add'), [[1, 2], [3, 4], [5, 6]])).toEqual([3, 7, 11]);
      expect(await pool.starmapAsync(fx('square', 'add'), [[1, 1]]).get()).toEqual([2]);
      const big = range(20_000);
      expect(await pool.map(square, big, 777)).toEqual(big.map((x) => x * x));
    });

    it('resolves a plain function as an export of the calling module', async () => {
      const pool = shared;
      expect(await cubes(pool, 4)).toEqual([0, 1, 8, 27]);
      const error = await rejection(callHidden(pool));
      expect(error.message).toMatch(/`hidden` is not exported by .*plain-caller\.ts: export it/);
    });

    it('runs async tasks and uses their resolved value', async () => {
      const pool = shared;
      expect(await pool.map(fx('async-task', 'slowDouble'), range(12), 2)).toEqual(range(12).map((x) => 2 * x));
      expect(await pool.apply(fx('async-task', 'slowDouble'), [5])).toBe(10);
    });

    it('passes shared objects by identity', async () => {
      const pool = shared;
      const region = allocateShared(4);
      Atomics.store(region.int32(), 0, 1234);
      expect(await pool.apply(fx('shared', 'readRegion'), [region])).toBe(1234);
    });
  });

  describe('errors', () => {
    it('rejects a bad chunksize', async () => {
      const pool = shared;
      expect(() => pool.mapAsync(square, [1], 0)).toThrow(RangeError);
      expect(() => pool.imap(square, [1], 1.5)).toThrow(RangeError);
      await expect(pool.map(square, [1], -1)).rejects.toThrow(/chunksize/);
    });
    it('keeps name, message, code and the remote stack', async () => {
      const pool = shared;
      const error = await rejection(pool.apply(fx('fail', 'fail'), ['it broke']));
      expect(error.name).toBe('ValueError');
      expect(error.message).toBe('it broke');
      expect(error.code).toBe('E_VALUE');
      expect(error.stack).toMatch(/fixtures\/fail\.ts/);
      const typeError = await rejection(pool.apply(fx('fail', 'failType')));
      expect(typeError).toBeInstanceOf(TypeError);
      expect(await rejection(pool.apply(fx('fail', 'throwString')))).toBe('plain string');
      const asyncError = await rejection(pool.apply(fx('fail', 'rejectLater'), ['later']));
      expect(asyncError.name).toBe('ValueError');
      expect(asyncError.message).toBe('later');
    });

    it('rejects tasks whose function cannot be found', async () => {
      const pool = shared;
      expect((await rejection(pool.apply(fx('square', 'missing')))).message).toMatch(/`missing` is not exported/);
      expect(await rejection(pool.apply(fx('square', 'notAFunction')))).toBeInstanceOf(TypeError);
      expect((await rejection(pool.apply(fx('no-such-file', 'x')))).message).toMatch(/Cannot import/);
      expect(() => pool.applyAsync(42 as never)).toThrow(TypeError);
    });

    it('map is not fail-fast: every item runs, then the first error by position', async () => {
      const pool = shared;
      const dir = mkdtempSync(join(tmpdir(), 'mp-pool-'));
      try {
        const items = range(10).map((x) => ({ x, bad: [7, 3, 4], dir }));
        const error = await rejection(pool.map(fx('fail', 'failSome'), items, 2));
        expect(error.message).toBe('bad item 3');
        expect(readdirSync(dir).map(Number).sort((a, b) => a - b)).toEqual(range(10));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('an unserialisable result fails that task only', async () => {
      const pool = shared;
      expect((await rejection(pool.apply(fx('unserialisable', 'returnFunction')))).name).toBe('DataCloneError');
      expect((await rejection(pool.map(fx('unserialisable', 'functionAt'), [1, 2, 3]))).name).toBe('DataCloneError');
      const it = pool.imap(fx('unserialisable', 'functionAt'), [1, 2, 3]);
      expect(await it.next()).toEqual({ done: false, value: 1 });
      expect((await rejection(it.next())).name).toBe('DataCloneError');
      expect(await it.next()).toEqual({ done: false, value: 3 });
      expect(await pool.apply(square, [3])).toBe(9);
    });

    it('an argument that cannot be sent fails that task only', async () => {
      const pool = shared;
      expect((await rejection(pool.apply(square, [() => 1]))).name).toBe('DataCloneError');
      expect(await pool.apply(square, [2])).toBe(4);
    });
  });

  describe('callbacks', () => {
    it('callback and errorCallback run exactly once', async () => {
      const pool = shared;
      const calls: unknown[] = [];
      const ok = pool.applyAsync(square, [3], { callback: (v) => calls.push(['ok', v]), errorCallback: (e) => calls.push(['err', e]) });
      const bad = pool.applyAsync(fx('fail', 'fail'), ['no'], { callback: (v) => calls.push(['ok2', v]), errorCallback: (e) => calls.push(['err2', (e as Error).message]) });
      const list = pool.mapAsync(square, [1, 2], undefined, { callback: (v) => calls.push(['list', v]) });
      await ok.wait();
      await bad.wait();
      await list.wait();
      await pool.apply(square, [1]);
      expect(calls).toHaveLength(3);
      expect(calls).toContainEqual(['ok', 9]);
      expect(calls).toContainEqual(['err2', 'no']);
      expect(calls).toContainEqual(['list', [1, 4]]);
    });
  });
});
