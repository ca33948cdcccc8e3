import { TimeoutError } from '@mp/core';
import { AbortError, AsyncResult, Pool, PoolQueueFullError, type Pool as PoolType } from '@mp/pool';
import { describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const square = fx('square', 'square');
const forever = fx('forever', 'forever');
const sleepEcho = fx('forever', 'sleepEcho');

/** Waits until `condition()` holds, checking each few ms; throws after `ms` (a hang guard, not a timing assertion). */
async function until(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Busy workers: a task was sent to them. */
const busy = (pool: PoolType) => pool.stats().workers.busy;

describe.each(['thread', 'process'] as const)('Pool in a server (%s)', (method) => {
  describe('awaitable results', () => {
    it('await applyAsync() is the value; Promise.all works; get/ready/successful still work', async () => {
      const pool = makePool({ processes: 2, context: method });
      expect(await pool.applyAsync(square, [3])).toBe(9);
      const results = [1, 2, 3].map((n) => pool.applyAsync(square, [n]));
      expect(results[0]).toBeInstanceOf(AsyncResult);
      expect(await Promise.all(results)).toEqual([1, 4, 9]);
      expect(results[2]!.ready()).toBe(true);
      expect(results[2]!.successful()).toBe(true);
      expect(await results[2]!.get(0)).toBe(9);
      expect(await pool.mapAsync(square, [1, 2])).toEqual([1, 4]);
      const failed = pool.applyAsync(fx('fail', 'fail'), ['nope']);
      expect((await rejection(Promise.resolve(failed))).message).toBe('nope');
      expect(failed.successful()).toBe(false);
    });
  });

  describe('cancellation with AbortSignal', () => {
    it('a running task is stopped by replacing its worker; only it rejects, with AbortError and cause = reason', async () => {
      const pool = makePool({ processes: 2, context: method });
      const controller = new AbortController();
      const doomed = pool.apply(forever, [], { signal: controller.signal });
      const other = pool.applyAsync(sleepEcho, ['kept', 300]);
      await until(() => busy(pool) === 2);
      const reason = new Error('client went away');
      controller.abort(reason);
      const error = await rejection(doomed);
      expect(error).toBeInstanceOf(AbortError);
      expect(error.name).toBe('AbortError');
      expect(error.cause).toBe(reason);
      expect(await other.get(60_000)).toBe('kept');
      // Both workers idle again: the forever task no longer holds one (its worker was replaced).
      await until(() => pool.stats().workers.idle === 2);
      expect(await pool.apply(square, [7])).toBe(49);
      expect(pool.stats().cancelled).toBe(1);
    });

    it('a queued task is removed: it never runs, the task before it is untouched', async () => {
      const pool = makePool({ processes: 1, context: method });
      const hold = pool.applyAsync(forever);
      await until(() => busy(pool) === 1);
      const controller = new AbortController();
      const queued = pool.applyAsync(square, [2], { signal: controller.signal });
      expect(pool.stats().queued).toBe(1);
      controller.abort();
      const error = await rejection(queued.get());
      expect(error.name).toBe('AbortError');
      expect(error.cause).toBe(controller.signal.reason);
      expect(pool.stats().queued).toBe(0);
      expect(hold.ready()).toBe(false);
    });

    it('an already-aborted signal rejects at once and runs nothing', async () => {
      const pool = makePool({ processes: 1, context: method });
      const signal = AbortSignal.abort('too late');
      const errors: unknown[] = [];
      const result = pool.applyAsync(square, [2], { signal, errorCallback: (e) => errors.push(e) });
      expect((await rejection(result.get())).cause).toBe('too late');
      expect(errors).toHaveLength(1);
      expect((await rejection(pool.apply(square, [2], { signal }))).name).toBe('AbortError');
      expect((await rejection(pool.map(square, [1, 2], { signal }))).name).toBe('AbortError');
      const iterator = pool.imap(square, [1, 2], { signal });
      expect((await rejection(iterator.next())).name).toBe('AbortError');
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      expect(await pool.apply(square, [5])).toBe(25);
      const stats = pool.stats();
      expect(stats.completed).toBe(1); // only the last apply ran
      expect(stats.queued).toBe(0);
    });

    it('aborting a map stops its running and queued chunks; the pool goes on', async () => {
      const pool = makePool({ processes: 2, context: method });
      const controller = new AbortController();
      const map = pool.mapAsync(forever, [1, 2, 3, 4, 5], { chunksize: 1, signal: controller.signal });
      await until(() => busy(pool) === 2);
      controller.abort();
      expect((await rejection(map.get())).name).toBe('AbortError');
      expect(await pool.map(square, [1, 2, 3], { chunksize: 1 })).toEqual([1, 4, 9]);
      expect(pool.stats().queued).toBe(0);
    });

    it('aborting an imap rejects the next step and ends the iteration', async () => {
      const pool = makePool({ processes: 1, context: method });
      const controller = new AbortController();
      const iterator = pool.imap(fx('forever', 'firstThenForever'), [0, 1, 2, 3], { signal: controller.signal });
      expect(await iterator.next()).toEqual({ done: false, value: 0 });
      const step = iterator.next();
      controller.abort();
      expect((await rejection(step)).name).toBe('AbortError');
      expect((await iterator.next()).done).toBe(true);
      expect(await pool.applyAsync(square, [3]).get(60_000)).toBe(9);
    });

    it('breaking out of for await over imap stops the remaining work', async () => {
      const pool = makePool({ processes: 1, context: method });
      const seen: number[] = [];
      for await (const value of pool.imapUnordered(fx('forever', 'firstThenForever'), [0, 1, 2, 3])) {
        seen.push(value as number);
        break;
      }
      expect(seen).toEqual([0]);
      // The single worker is free again: item 1 (forever) was stopped, items 2 and 3 dropped.
      expect(await pool.applyAsync(square, [4]).get(60_000)).toBe(16);
      expect(pool.stats().queued).toBe(0);
    });
  });

  describe('deadlines', () => {
    it('a task past its timeout is stopped and rejects with TimeoutError; get(ms) still only stops waiting', async () => {
      const pool = makePool({ processes: 1, context: method });
      await pool.apply(square, [1]); // the worker is up: the task is running when its deadline comes
      const error = await rejection(pool.apply(forever, [], { timeout: 50 }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/timeout.*50 ms/);
      expect(await pool.applyAsync(square, [6]).get(60_000)).toBe(36);
      const waited = pool.applyAsync(sleepEcho, ['late', 200]);
      expect(await rejection(waited.get(10))).toBeInstanceOf(TimeoutError);
      expect(await waited.get(60_000)).toBe('late');
    });

    it('for a map the deadline covers the whole call', async () => {
      const pool = makePool({ processes: 1, context: method });
      await pool.apply(square, [1]); // the worker is up: the deadline is about the map
      // Each item takes 60 ms (< 150), the map at least 300 ms (> 150).
      const items = [0, 1, 2, 3, 4].map((i) => [i, 60] as [number, number]);
      expect(await rejection(pool.starmap(sleepEcho, items, { chunksize: 1, timeout: 150 }))).toBeInstanceOf(TimeoutError);
      expect(await pool.starmap(sleepEcho, items.slice(0, 2), { chunksize: 1, timeout: 60_000 })).toEqual([0, 1]);
    });
  });

  describe('close({ cancelPending: true })', () => {
    it('rejects the queued tasks; the running one finishes; join() resolves', async () => {
      const pool = makePool({ processes: 1, context: method });
      const running = pool.applyAsync(sleepEcho, ['done', 100]);
      await until(() => busy(pool) === 1);
      const queued = pool.applyAsync(square, [2]);
      const map = pool.mapAsync(square, [1, 2, 3]);
      pool.close({ cancelPending: true });
      expect((await rejection(queued.get())).name).toBe('AbortError');
      expect((await rejection(map.get())).message).toMatch(/cancelPending/);
      expect(await running.get(60_000)).toBe('done');
      await pool.join();
      expect(() => pool.close({ cancelPendng: true } as never)).toThrow(/did you mean `cancelPending`/);
    });
  });

  describe('maxQueue', () => {
    it('refuses submissions beyond it at once; drained() waits for room; map and imap wait instead of failing', async () => {
      const pool = makePool({ processes: 1, context: method, maxQueue: 2 });
      const hold = pool.applyAsync(sleepEcho, [0, 150]);
      await until(() => busy(pool) === 1);
      const a = pool.applyAsync(square, [2]);
      const b = pool.applyAsync(square, [3]);
      expect(() => pool.applyAsync(square, [4])).toThrow(PoolQueueFullError);
      const refused = await rejection(pool.apply(square, [4]));
      expect(refused.code).toBe('ERR_MP_POOL_QUEUE_FULL');
      expect(refused.message).toMatch(/maxQueue: 2.*drained/);
      await pool.drained();
      expect(pool.stats().queued).toBe(0);
      expect(await Promise.all([hold, a, b])).toEqual([0, 4, 9]);
      const items = Array.from({ length: 12 }, (_, i) => i);
      expect(await pool.map(square, items, 1)).toEqual(items.map((i) => i * i));
      const seen: number[] = [];
      for await (const value of pool.imap(square, items)) seen.push(value as number);
      expect(seen).toEqual(items.map((i) => i * i));
    });
  });

  describe('stats()', () => {
    it('counts tasks and workers, and gives percentiles and utilization', async () => {
      const pool = makePool({ processes: 2, context: method });
      await Promise.all([1, 2, 3, 4].map((n) => pool.applyAsync(sleepEcho, [n, 20])));
      await rejection(pool.apply(fx('fail', 'fail'), ['x']));
      await until(() => pool.stats().workers.starting === 0);
      const stats = pool.stats();
      expect(stats.completed).toBe(4);
      expect(stats.failed).toBe(1);
      expect(stats.cancelled).toBe(0);
      expect(stats.queued).toBe(0);
      expect(stats.workers.busy + stats.workers.idle).toBe(2);
      expect(stats.runTime.p50).toBeGreaterThan(0);
      expect(stats.runTime.p50).toBeLessThanOrEqual(stats.runTime.p90);
      expect(stats.runTime.p90).toBeLessThanOrEqual(stats.runTime.p99);
      expect(stats.waitTime.p99).toBeGreaterThanOrEqual(0);
      expect(stats.utilization).toBeGreaterThan(0);
      expect(stats.utilization).toBeLessThanOrEqual(1);
    });
  });

  describe('elastic size', () => {
    const total = (pool: PoolType) => {
      const { busy, idle, starting } = pool.stats().workers;
      return busy + idle + starting;
    };

    it('retires idle workers above minProcesses after idleTimeout, and starts them again when tasks wait', async () => {
      const pool = makePool({ processes: 2, context: method, minProcesses: 1, idleTimeout: 100 });
      expect(await Promise.all([pool.applyAsync(sleepEcho, [1, 200]), pool.applyAsync(sleepEcho, [2, 200])])).toEqual([1, 2]);
      await until(() => total(pool) === 1);
      const both = [pool.applyAsync(sleepEcho, [3, 400]), pool.applyAsync(sleepEcho, [4, 400])];
      await until(() => busy(pool) === 2); // a second worker again, each running one
      expect(await Promise.all(both)).toEqual([3, 4]);
      await until(() => total(pool) === 1);
    });

    it('with minProcesses 0, an idle pool has no worker and starts one for the next task', async () => {
      const pool = makePool({ processes: 2, context: method, minProcesses: 0, idleTimeout: 50 });
      expect(await pool.apply(square, [2])).toBe(4);
      await until(() => total(pool) === 0);
      expect(await pool.applyAsync(square, [3]).get(60_000)).toBe(9);
    });
  });

  describe('bad input', () => {
    it('is a TypeError or RangeError at the call', () => {
      const pool = makePool({ processes: 1, context: method });
      expect(() => pool.applyAsync(square, [1], { signal: {} as never })).toThrow(/to be an AbortSignal/);
      expect(() => pool.applyAsync(square, [1], { timeout: -1 })).toThrow(RangeError);
      expect(() => pool.applyAsync(square, [1], { timeout: Number.NaN })).toThrow(RangeError);
      expect(() => pool.applyAsync(square, [1], { timeout: '5' as never })).toThrow(TypeError);
      expect(() => pool.mapAsync(square, [1], { chunksize: 1, signl: undefined } as never)).toThrow(/did you mean `signal`/);
      expect(() => pool.imap(square, [1], { timeout: -5 })).toThrow(RangeError);
      expect(() => pool.mapAsync(square, [1], {}, {})).toThrow(/not both/);
      expect(() => pool.mapAsync(square, [1], '2' as never)).toThrow(TypeError);
      expect(() => new Pool({ processes: 1, context: method, maxQueue: -1 })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, context: method, maxQueue: Number.NaN })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, context: method, maxQueue: '3' as never })).toThrow(TypeError);
      expect(() => new Pool({ processes: 1, context: method, minProcesses: 2 })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, context: method, minProcesses: -1 })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, context: method, idleTimeout: Number.NaN })).toThrow(RangeError);
      expect(() => new Pool({ processes: 1, context: method, idleTimeout: -1 })).toThrow(RangeError);
    });

    it('apply() rejects instead of throwing', async () => {
      const pool = makePool({ processes: 1, context: method });
      expect(await rejection(pool.apply(square, [1], { signal: 'x' as never }))).toBeInstanceOf(TypeError);
      expect(await rejection(pool.apply(square, [1], { callback: () => {} } as never))).toBeInstanceOf(TypeError);
    });
  });
});
