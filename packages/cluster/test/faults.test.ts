import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ref } from '@mp/core';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDataLostError, Pool } from '@mp/cluster';
import { allKeys, HAVE_REDIS, kill, newQueue, startRedis, startWorker, type RedisServer } from './helpers.ts';

const TASKS = new URL('./fixtures/tasks.ts', import.meta.url);
const square = ref(TASKS, 'square');
const sleepThen = ref(TASKS, 'sleepThen');
const recordThenWait = ref(new URL('./fixtures/count-runs.ts', import.meta.url), 'recordThenWait');
/** Lock and stalled-check tuning small enough for a test to see a dead worker's job taken over. */
const FAST_TAKEOVER = ['--lock-duration', '1000', '--stalled-interval', '500'];

describe.skipIf(!HAVE_REDIS).each(['thread', 'process'] as const)('cluster faults (workers on %s)', (method) => {
  let redis: RedisServer;
  let workers: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis({ persist: true });
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => kill(w)));
    workers = [];
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a worker SIGKILLed mid-task: another worker takes the job over, and the result arrives once', async () => {
    const queue = newQueue();
    const flags = ['--concurrency', '1', '--start-method', method, ...FAST_TAKEOVER];
    const first = await startWorker(redis, queue, flags);
    workers.push(first);
    const file = join(mkdtempSync(join(tmpdir(), 'mp-cluster-runs-')), 'runs');
    writeFileSync(file, '');
    const pool = new Pool({ connection: redis.url, queue });
    const result = pool.applyAsync(recordThenWait, [file, 1_500, 21]);
    // Wait until the first worker's task has started (it wrote its line), then kill that worker.
    const deadline = Date.now() + 20_000;
    while (readFileSync(file, 'utf8') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await kill(first, 'SIGKILL');
    workers.push(await startWorker(redis, queue, flags));
    expect(await result.get(30_000)).toBe(42);
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBe(2); // at-least-once execution…
    pool.close();
    await pool.join(); // …exactly-once result, and nothing left behind
    expect(existsSync(file)).toBe(true);
    const client = redis.client();
    expect((await allKeys(client)).filter((k) => k.includes(queue) && !/:(meta|events|stalled-check|id|marker)$/.test(k))).toEqual([]);
  });

  it('Redis restarted mid-map with its append-only file: the map completes', async () => {
    const queue = newQueue();
    workers.push(await startWorker(redis, queue, ['--concurrency', '2', '--start-method', method, ...FAST_TAKEOVER]));
    const pool = new Pool({ connection: redis.url, queue, processes: 2 });
    expect(await pool.apply(square, [1])).toBe(1); // connected, and the worker is serving
    const items = Array.from({ length: 40 }, (_, i) => i);
    const result = pool.starmapAsync(sleepThen, items.map((i) => [50, i] as [number, number]), 1);
    await redis.restart();
    expect(await result.get(30_000)).toEqual(items);
    pool.close();
    await pool.join();
  });

  it('hostile jobs added straight to the queue never load a module outside the root', async () => {
    const queue = newQueue();
    workers.push(await startWorker(redis, queue, ['--concurrency', '1', '--start-method', method]));
    const pool = new Pool({ connection: redis.url, queue });
    // A live pool to answer: the hostile jobs name it, so their refusals come back as its results.
    expect(await pool.apply(square, [2])).toBe(4);
    const poolId = (await allKeys(redis.client())).map((k) => /:mp:(mp[0-9a-f]{32})$/.exec(k)?.[1]).find(Boolean)!;
    const marker = join(mkdtempSync(join(tmpdir(), 'mp-cluster-hostile-')), 'loaded');
    const evil = join(tmpdir(), `mp-cluster-evil-${process.pid}.mjs`);
    writeFileSync(evil, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export function run() {}`);
    const items = Buffer.from([]).toString('base64');
    const hostile = [
      { path: evil, name: 'run' },
      { path: `../../../../../../..${evil}`, name: 'run' },
      { path: `file://${evil}`, name: 'run' },
      { path: `data:text/javascript,${encodeURIComponent(`import('node:fs').then(f=>f.writeFileSync(${JSON.stringify(marker)},'x'))`)}`, name: 'x' },
      { package: 'node:child_process', name: 'execSync' },
      { package: '../../etc', name: 'x' },
      { package: `data:text/javascript,export const x=1`, name: 'x' },
      { path: 'test/fixtures/tasks.ts', name: '__proto__' },
      'not an object',
    ];
    const raw = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    await raw.addBulk(
      hostile.map((target, i) => ({ name: 'mp-task', data: { pool: poolId, target, star: true, count: 1, items }, opts: { jobId: `hostile-${i}`, removeOnComplete: true, removeOnFail: true } })),
    );
    await raw.add('something-else', { pool: 'x' }, { removeOnComplete: true });
    // The worker answers each in turn; one more task after them proves it went past all of them.
    expect(await pool.apply(square, [3])).toBe(9);
    const deadline = Date.now() + 10_000;
    while ((await raw.count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(marker)).toBe(false);
    await raw.close();
    pool.close();
    await pool.join();
  });
});

describe.skipIf(!HAVE_REDIS)('cluster: data lost in a restart', () => {
  it('Redis restarted without persistence mid-map: the map rejects with ClusterDataLostError', async () => {
    const redis = await startRedis({ persist: false });
    const queue = newQueue();
    const worker = await startWorker(redis, queue, ['--concurrency', '1', ...FAST_TAKEOVER]);
    try {
      const pool = new Pool({ connection: redis.url, queue, processes: 1 });
      expect(await pool.apply(square, [1])).toBe(1);
      const result = pool.starmapAsync(sleepThen, Array.from({ length: 20 }, (_, i) => [100, i] as [number, number]), 1);
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart();
      const error = await result.get(30_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterDataLostError);
      expect((error as Error).message).toMatch(/--appendonly yes/);
      await pool.terminate();
    } finally {
      await kill(worker);
      await redis.stop();
    }
  });
});

describe.skipIf(!HAVE_REDIS)('cluster: Redis gone for good', () => {
  it('terminate() and join() still return (bounded) when Redis has stopped, and pending tasks reject', async () => {
    const redis = await startRedis();
    const queue = newQueue();
    const worker = await startWorker(redis, queue, ['--concurrency', '1']);
    const pool = new Pool({ connection: redis.url, queue });
    expect(await pool.apply(square, [2])).toBe(4);
    const pending = pool.applyAsync(sleepThen, [60_000, 'never']);
    await kill(worker);
    await redis.stop();
    const started = Date.now();
    await pool.terminate();
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(pending.get()).rejects.toMatchObject({ name: 'PoolTerminatedError' });
  });
});

describe.skipIf(!HAVE_REDIS)('mp-worker', () => {
  it('a missing module or export: the task rejects with an error naming both and the root, at once', async () => {
    const redis = await startRedis();
    const queue = newQueue();
    const worker = await startWorker(redis, queue, ['--concurrency', '1']);
    try {
      const pool = new Pool({ connection: redis.url, queue });
      await expect(pool.apply(ref(TASKS, 'nope'), [])).rejects.toThrow(/`nope`.*test\/fixtures\/tasks\.ts|test\/fixtures\/tasks\.ts.*`nope`/s);
      await expect(pool.apply(ref(TASKS, 'nope'), [])).rejects.toThrow(/packages\/cluster/);
      await expect(pool.apply(ref('@mp/not-installed', 'x'), [])).rejects.toThrow(/Cannot find the task's module package @mp\/not-installed \(export `x`\) from the worker's root/);
      await pool.terminate();
    } finally {
      await kill(worker);
      await redis.stop();
    }
  });
});
