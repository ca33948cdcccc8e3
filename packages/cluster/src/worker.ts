import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { cpuCount, getContext, ref, type StartMethod } from '@mp/core';
import { checkOptions, describe } from '@mp/core/internal';
import { Pool as LocalPool } from '@mp/pool';
import { connect, whenReady, type ConnectionOption } from './internal/connection.js';
import { JOB_NAME, POOL_ID, POOL_TTL_MS, poolKeys } from './internal/keys.js';
import { CHUNK_MODULE } from './internal/paths.js';
import { encodeMessage, failedOutcome } from './internal/payload.js';
import { resolveTarget, TargetError } from './internal/target.js';

/** Options of {@link startWorker} (the flags of the `mp-worker` command). */
export interface WorkerOptions {
  /** Where Redis is: a `redis://` URL or ioredis options. @defaultValue `'redis://127.0.0.1:6379'` */
  connection?: ConnectionOption | undefined;
  /** The BullMQ queue to serve (the pools' `queue`). @defaultValue `'mp'` */
  queue?: string | undefined;
  /** BullMQ's key prefix. @defaultValue `'bull'` */
  prefix?: string | undefined;
  /** Tasks run at once: the size of the local `@mp/pool` Pool. @defaultValue `cpuCount()` */
  concurrency?: number | undefined;
  /** The start method of the local pool's workers. @defaultValue the default start method */
  startMethod?: StartMethod | undefined;
  /** The project checkout: task modules are found here only. @defaultValue the current directory */
  root?: string | undefined;
  /** BullMQ's `lockDuration` (ms): a job whose worker stops renewing its lock this long is taken over. @defaultValue 30_000 */
  lockDuration?: number | undefined;
  /** BullMQ's `stalledInterval` (ms): how often workers look for jobs whose worker died. @defaultValue 30_000 */
  stalledInterval?: number | undefined;
  /** How many times a job may lose its worker and be taken over. @defaultValue 1_000 */
  maxStalledCount?: number | undefined;
}

/** A running worker, as {@link startWorker} returns it. */
export interface ClusterWorker {
  /** The host name sent with every result (and error). */
  readonly host: string;
  /** The folder task modules are found in. */
  readonly root: string;
  /** Stops taking jobs, lets running ones finish, and stops the local pool. */
  close(): Promise<void>;
}

const WORKER_OPTIONS = ['connection', 'queue', 'prefix', 'concurrency', 'startMethod', 'root', 'lockDuration', 'stalledInterval', 'maxStalledCount'] as const satisfies ReadonlyArray<
  keyof WorkerOptions
>;

/** Pushes a result only while its pool lives: a terminated pool gets nothing, so nothing is left behind. */
const PUSH_IF_ALIVE = `if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0`;

type PushRedis = Redis & { mpPush(alive: string, results: string, message: Buffer, ttl: number): Promise<number> };

function positive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RangeError(`Expected \`${what}\` to be a positive integer, got ${describe(value)}`);
  return value;
}

/**
 * Serves a queue: takes the jobs that `@mp/cluster` pools add, runs each in a
 * local `@mp/pool` Pool (so a task that crashes its process fails alone), and
 * sends the results back. What the `mp-worker` command runs.
 *
 * Python: a Ray worker node (`ray start --address=…`).
 *
 * @param options - connection, queue, concurrency, startMethod, root, and BullMQ's lock tuning
 * @returns the running worker, once it is connected
 * @throws {@link ClusterConnectionError} when Redis cannot be reached; TypeError / RangeError for bad options
 * @example
 * ```ts
 * const worker = await startWorker({ connection: 'redis://10.0.0.5:6379', queue: 'render', concurrency: 4, root: '/srv/app' });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export async function startWorker(options: WorkerOptions = {}): Promise<ClusterWorker> {
  const opts = checkOptions(options, WORKER_OPTIONS, 'startWorker()');
  const connection = opts.connection ?? 'redis://127.0.0.1:6379';
  const queue = opts.queue ?? 'mp';
  const prefix = opts.prefix ?? 'bull';
  const root = resolve(opts.root ?? process.cwd());
  const concurrency = opts.concurrency === undefined ? cpuCount() : positive(opts.concurrency, 'concurrency');
  const method = getContext(opts.startMethod).startMethod;
  const host = hostname();
  const redis = connect(connection, `mp-worker@${host}`) as PushRedis;
  redis.on('error', () => {}); // reconnects by itself; the first failure is reported by whenReady
  redis.defineCommand('mpPush', { numberOfKeys: 2, lua: PUSH_IF_ALIVE });
  try {
    await whenReady(redis, connection, 5_000);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const local = new LocalPool({ processes: concurrency, context: method });
  const chunk = ref(CHUNK_MODULE, 'runChunk');

  const process_ = async (job: Job): Promise<void> => {
    const data = job.data as Record<string, unknown> | null;
    const pool = data?.['pool'];
    if (job.name !== JOB_NAME || typeof pool !== 'string' || !POOL_ID.test(pool) || typeof job.id !== 'string') {
      console.error(`mp-worker: skipped job ${describe(job.id)}: not a task of an @mp/cluster pool`);
      return;
    }
    const keys = poolKeys(prefix, queue, pool);
    // A pool that was terminated (or died) wants nothing more: skip its leftovers.
    if ((await redis.exists(keys.alive)) === 0) return;
    const count = typeof data?.['count'] === 'number' && Number.isInteger(data['count']) && data['count'] > 0 ? Math.min(data['count'], 1_000_000) : 1;
    let outcome: Uint8Array;
    try {
      const items = data?.['items'];
      const star = data?.['star'];
      if (typeof items !== 'string' || typeof star !== 'boolean') throw new TargetError(`Expected the job to hold \`items\` (a string) and \`star\` (a boolean), got ${describe(data)}`);
      const target = resolveTarget(root, data?.['target']);
      outcome = await local.apply(chunk, [target.url, target.name, target.shown, star, items]);
    } catch (error) {
      // The module is missing, refused, or the task's process died: the job's answer is this error, never a retry.
      outcome = failedOutcome(count, error);
    }
    await redis.mpPush(keys.alive, keys.results, encodeMessage({ job: job.id, host, pid: process.pid, outcome }), POOL_TTL_MS);
  };

  const worker = new Worker(queue, process_, {
    connection: redis,
    prefix,
    concurrency,
    lockDuration: opts.lockDuration ?? 30_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 1_000,
  });
  worker.on('error', (error) => console.error(`mp-worker: ${error.message}`));
  await worker.waitUntilReady();
  let closing: Promise<void> | undefined;
  return {
    host,
    root,
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        await local.terminate();
        await redis.quit().catch(() => redis.disconnect());
      })()),
  };
}

