import { ref } from '@mp/core';
import { Lock } from '@mp/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncResult, ClusterConnectionError, Pool } from '@mp/cluster';
import { makeFunction } from './fixtures/tasks.ts';
import { allKeys, freePort, HAVE_REDIS, kill, newQueue, startRedis, startWorker, type RedisServer } from './helpers.ts';
import type { ChildProcess } from 'node:child_process';

// The tasks are exports of a fixture module: a worker finds it under its --root by the path test/fixtures/tasks.ts.
const TASKS = new URL('./fixtures/tasks.ts', import.meta.url);
const square = ref(TASKS, 'square');
const add = ref(TASKS, 'add');
const failOn = ref(TASKS, 'failOn');
const crash = ref(TASKS, 'crash');
const sleepThen = ref(TASKS, 'sleepThen');
/** Keys that are not BullMQ's bookkeeping of the queue itself (meta, events stream, stalled check). */
const foreign = (keys: string[]) => keys.filter((k) => !/^bull:[^:]+:(meta|events|stalled-check|id|marker)$/.test(k));

describe.skipIf(!HAVE_REDIS).each(['thread', 'process'] as const)('cluster Pool (workers on %s)', (method) => {
  let redis: RedisServer;
  const workers: ChildProcess[] = [];
  const queue = newQueue();

  beforeAll(async () => {
    redis = await startRedis();
    workers.push(...(await Promise.all([startWorker(redis, queue, ['--concurrency', '2', '--start-method', method]), startWorker(redis, queue, ['--concurrency', '2', '--start-method', method])])));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => kill(w)));
    await redis?.stop();
  });

  const open = () => new Pool({ connection: redis.url, queue, processes: 4 });

  it('apply, applyAsync, map, starmap, imap, imapUnordered give the results of @mp/pool', async () => {
    await using pool = open();
    expect(await pool.apply(square, [3])).toBe(9);
    const result = pool.applyAsync(square, [10]);
    expect(result).toBeInstanceOf(AsyncResult);
    expect(await result.get(10_000)).toBe(100);
    expect(result.successful()).toBe(true);
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(await pool.map(square, items)).toEqual(items.map((n) => n * n));
    expect(await pool.map(square, items, { chunksize: 7 })).toEqual(items.map((n) => n * n));
    expect(await pool.map(square, [])).toEqual([]);
    expect(await pool.starmap(add, [[1, 2], [3, 4]])).toEqual([3, 7]);
    expect(await pool.starmapAsync(add, [[5, 5]]).get()).toEqual([10]);
    const ordered: number[] = [];
    for await (const value of pool.imap<number, number>(square, (function* () { for (let i = 0; i < 20; i++) yield i; })(), 3)) ordered.push(value);
    expect(ordered).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered<number, number>(square, [1, 2, 3, 4])) unordered.push(value);
    expect(unordered.sort((a, b) => a - b)).toEqual([1, 4, 9, 16]);
  });

  it("map rejects with the first failing item's error: the remote name, message, stack and the worker's host", async () => {
    await using pool = open();
    const error = (await pool.map(failOn, Array.from({ length: 30 }, (_, i) => i), 4).catch((e: unknown) => e)) as Error & { host: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('item 3 is bad');
    expect(error.stack).toContain('failOn');
    expect(error.stack).toMatch(/mp-worker on .+ \(pid \d+\)/);
    expect(typeof error.host).toBe('string');
    // imap: the failure at its position, then the iteration goes on.
    const it = pool.imap(failOn, [2, 3, 4]);
    expect(await it.next()).toEqual({ value: 2, done: false });
    await expect(it.next()).rejects.toThrow('item 3 is bad');
    expect(await it.next()).toEqual({ value: 4, done: false });
  });

  it('a task that kills its process fails alone; the worker survives and runs the next task', async () => {
    await using pool = open();
    await expect(pool.apply(crash)).rejects.toMatchObject({ name: 'WorkerLostError' });
    expect(await pool.apply(square, [5])).toBe(25);
    expect(workers.every((w) => w.exitCode === null)).toBe(true);
  });

  it('arguments that cannot travel are named: a function, and a shared Lock', async () => {
    await using pool = open();
    expect(() => pool.applyAsync(square, [makeFunction()])).toThrow(/args\[0\] cannot be sent to a remote worker/);
    const lock = new Lock();
    expect(() => pool.applyAsync(add, [1, { lock }])).toThrow(/args\[1\]\.lock is a shared @mp object/);
    await expect(pool.map(square, [1, lock])).rejects.toThrow(/items\[1\] is a shared @mp object/);
  });

  it('get() times out as locally; terminate() removes the pending jobs and rejects their results', async () => {
    const pool = open();
    const slow = pool.applyAsync(sleepThen, [2_000, 'late']);
    await expect(slow.get(50)).rejects.toMatchObject({ name: 'TimeoutError' });
    const pending = Array.from({ length: 20 }, () => pool.applyAsync(sleepThen, [500, 'x']));
    await pool.terminate();
    for (const result of pending) await expect(result.get()).rejects.toMatchObject({ name: 'PoolTerminatedError' });
    expect(() => pool.applyAsync(square, [1])).toThrow(/Pool not running/);
    // The job already running finishes on its worker (and answers nobody); then nothing of the pool is left.
    const client = redis.client();
    const deadline = Date.now() + 15_000;
    while (foreign(await allKeys(client)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(foreign(await allKeys(client))).toEqual([]);
  });

  it('close() + join() wait for the work, then the pool leaves no keys of its own in Redis', async () => {
    const client = redis.client();
    const pool = open();
    const results = [pool.mapAsync(square, Array.from({ length: 50 }, (_, i) => i), 5), pool.applyAsync(sleepThen, [200, 'done'])];
    pool.close();
    await expect(pool.join()).resolves.toBeUndefined();
    expect(results.every((r) => r.ready())).toBe(true);
    expect(await results[1]!.get()).toBe('done');
    const keys = await allKeys(client);
    // What stays is the queue's own bookkeeping (BullMQ's meta, events stream, stalled check), not one job or result.
    expect(foreign(keys)).toEqual([]);
    await expect(pool.join()).resolves.toBeUndefined();
  });
});

describe.skipIf(!HAVE_REDIS)('cluster Pool without Redis', () => {
  it('an unreachable Redis is a ClusterConnectionError within seconds, not a hang', async () => {
    const port = await freePort();
    const pool = new Pool({ connection: `redis://127.0.0.1:${port}`, connectTimeout: 3_000 });
    const started = Date.now();
    const error = await pool.apply(square, [2]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`Cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(10_000);
    await pool.terminate();
  });

  it('bad options are TypeErrors that say what was expected', () => {
    expect(() => new Pool({ conection: 'x' } as never)).toThrow(TypeError);
    expect(() => new Pool({ connection: 'http://x' })).toThrow(/redis:\/\//);
    expect(() => new Pool({ queue: 'a:b', connection: 'redis://127.0.0.1:1' })).toThrow(/without ':'/);
  });
});
