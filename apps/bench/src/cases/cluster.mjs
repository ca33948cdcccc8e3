// @mp/cluster through a real redis-server on this machine, 2 mp-worker processes per start
// method, beside BullMQ's own API used directly with 2 Worker processes (the floor: what any
// library on BullMQ pays). Without redis-server every row is skipped, in one line each.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from '@mp/cluster';
import { Queue, QueueEvents } from 'bullmq';
import { SkipError } from '../errors.mjs';
import { mpKind, mpName, target } from '../mp.mjs';
import { resource } from '../resources.mjs';

/** @typedef {import('../types.mjs').Case} Case */
/** @typedef {import('../types.mjs').Variant} Variant */

const SQUARE = target('square', 'square');
const BENCH_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MP_WORKER = fileURLToPath(import.meta.resolve('@mp/cluster/package.json').replace(/package\.json$/, 'dist/bin/mp-worker.js'));
const BULLMQ_WORKER = fileURLToPath(new URL('../targets/bullmq-worker.mjs', import.meta.url));
const WORKERS = 2;
/**
 * Finished raw jobs BullMQ keeps: `waitUntilFinished` reads a finished job's record, so a job
 * deleted on completion (`removeOnComplete: true`) can fail it with "Missing key".
 */
const RAW_KEEP = 1_000;
const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {RegExp} pattern
 * @returns {Promise<void>}
 */
function ready(child, pattern) {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (pattern.test(seen)) resolve();
    });
    child.stderr?.on('data', (chunk) => (seen += chunk));
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}: ${seen}`)));
  });
}

/**
 * One redis-server for the whole run, with 2 mp-worker processes per start method and 2 raw BullMQ workers.
 * @returns {Promise<{ port: number, url: string }>}
 */
function cluster() {
  return resource(
    'cluster',
    async () => {
      if (!HAVE_REDIS) throw new SkipError('redis-server not found (apt-get install -y redis-server)');
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'mp-bench-redis-'));
      /** @type {import('node:child_process').ChildProcess[]} */
      const children = [];
      const start = (/** @type {string} */ command, /** @type {string[]} */ args, /** @type {RegExp} */ pattern) => {
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: BENCH_ROOT });
        children.push(child);
        return ready(child, pattern);
      };
      const close = () => {
        for (const child of children) child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      };
      try {
        await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
        const url = `redis://127.0.0.1:${port}`;
        const starting = [];
        for (const method of ['thread', 'process']) {
          for (let i = 0; i < WORKERS; i++) {
            starting.push(start(process.execPath, [MP_WORKER, '--connection', url, '--queue', `bench-${method}`, '--concurrency', '1', '--start-method', method, '--root', BENCH_ROOT], /mp-worker ready/));
          }
        }
        for (let i = 0; i < WORKERS; i++) starting.push(start(process.execPath, [BULLMQ_WORKER, String(port), 'bench-raw'], /bullmq worker ready/));
        await Promise.all(starting);
        return { port, url, close };
      } catch (error) {
        close();
        throw error;
      }
    },
    (/** @type {{ close: () => void }} */ value) => value.close(),
  );
}

/**
 * A cluster pool per start method, kept across repetitions (as the local pool cases keep theirs).
 * @param {'thread' | 'process'} method
 * @returns {Promise<Pool>}
 */
function clusterPool(method) {
  return resource(
    `cluster-pool-${method}`,
    async () => {
      const { url } = await cluster();
      const pool = new Pool({ connection: url, queue: `bench-${method}`, processes: WORKERS });
      await pool.map(SQUARE, [1, 2, 3, 4], 1); // connected, and both workers' local pools warm
      return pool;
    },
    (/** @type {Pool} */ pool) => pool.terminate(),
  );
}

/** @returns {Promise<{ queue: Queue, events: QueueEvents }>} */
function rawQueue() {
  return resource(
    'cluster-raw',
    async () => {
      const { port } = await cluster();
      const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
      const queue = new Queue('bench-raw', { connection });
      const events = new QueueEvents('bench-raw', { connection });
      await events.waitUntilReady();
      return { queue, events };
    },
    async (/** @type {{ queue: Queue, events: QueueEvents }} */ raw) => {
      await raw.events.close();
      await raw.queue.close();
    },
  );
}

/**
 * The floor's map: the same chunks as Pool.map's default, as BullMQ jobs, each waited for through QueueEvents.
 * @param {number[]} items
 * @param {number} size
 */
async function rawMap(items, size) {
  const { queue, events } = await rawQueue();
  const jobs = [];
  for (let i = 0; i < items.length; i += size) jobs.push({ name: 'chunk', data: { items: items.slice(i, i + size) }, opts: { removeOnComplete: RAW_KEEP, removeOnFail: RAW_KEEP } });
  const added = await queue.addBulk(jobs);
  const chunks = await Promise.all(added.map((job) => job.waitUntilFinished(events)));
  return chunks.flat();
}

/**
 * @param {import('../types.mjs').Sizes} sizes
 * @returns {Case[]}
 */
export function clusterCases(sizes) {
  const n = sizes.mapItems;
  const applies = sizes.applies;
  const chunkItems = Math.min(n, sizes.reps === 1 ? 200 : 5_000);
  const items = Array.from({ length: n }, (_, i) => i);
  const defaultChunk = Math.ceil(n / (4 * WORKERS));
  /** @type {(method: 'thread' | 'process', work: (pool: Pool) => Promise<number>) => Variant} */
  const mp = (method, work) => ({
    name: `@mp/cluster, workers on '${method}'`,
    kind: mpKind(method),
    setup: async () => void (await clusterPool(method)),
    async once() {
      return work(await clusterPool(method));
    },
  });
  /** @type {(name: string, work: () => Promise<number>) => Variant} */
  const floor = (name, work) => ({ name, kind: 'floor', setup: async () => void (await rawQueue()), once: work });
  return [
    {
      id: 'cluster-map',
      title: `Cluster map(square, ${n.toLocaleString('en')}) through Redis, ${WORKERS} workers`,
      detail:
        `\`await pool.map(square, items)\` of @mp/cluster (default chunks: ${defaultChunk.toLocaleString('en')} items per job) against ` +
        `${WORKERS} mp-worker processes on this machine, and the same chunks as BullMQ jobs (\`addBulk\` + \`waitUntilFinished\`) ` +
        `against ${WORKERS} raw BullMQ Workers squaring inline (Python: ray.util.multiprocessing.Pool.map)`,
      metrics: [{ id: 'ms', title: 'Cluster map', unit: 'ms', better: 'lower' }],
      variants: [
        ...(/** @type {const} */ (['thread', 'process'])).map((method) =>
          mp(method, async (pool) => {
            const start = performance.now();
            const out = await pool.map(SQUARE, items);
            if (out.length !== n) throw new Error(`map returned ${out.length} results`);
            return performance.now() - start;
          }),
        ),
        floor('raw BullMQ Queue + Workers (floor)', async () => {
          const start = performance.now();
          const out = await rawMap(items, defaultChunk);
          if (out.length !== n) throw new Error(`raw map returned ${out.length} results`);
          return performance.now() - start;
        }),
      ],
    },
    {
      id: 'cluster-apply',
      title: 'Cluster apply round trip through Redis',
      detail: `\`await pool.apply(square, [i])\`, ${applies.toLocaleString('en')} times in sequence; mean per round trip. Floor: \`queue.add\` + \`job.waitUntilFinished(queueEvents)\``,
      metrics: [{ id: 'us', title: 'Cluster apply round trip', unit: 'µs', better: 'lower' }],
      variants: [
        ...(/** @type {const} */ (['thread', 'process'])).map((method) =>
          mp(method, async (pool) => {
            const start = performance.now();
            for (let i = 0; i < applies; i++) await pool.apply(SQUARE, [i]);
            return ((performance.now() - start) * 1e3) / applies;
          }),
        ),
        floor('raw BullMQ add + waitUntilFinished (floor)', async () => {
          const { queue, events } = await rawQueue();
          const start = performance.now();
          for (let i = 0; i < applies; i++) {
            const job = await queue.add('chunk', { items: [i] }, { removeOnComplete: RAW_KEEP, removeOnFail: RAW_KEEP });
            await job.waitUntilFinished(events);
          }
          return ((performance.now() - start) * 1e3) / applies;
        }),
      ],
    },
    {
      id: 'cluster-chunking',
      title: `Cluster map(square, ${chunkItems.toLocaleString('en')}): default chunks vs one job per item`,
      detail: `\`pool.map(square, items)\` with the default chunksize (${Math.ceil(chunkItems / (4 * WORKERS))}) against \`{ chunksize: 1 }\` (one BullMQ job per item)`,
      metrics: [{ id: 'ms', title: 'Cluster map chunking', unit: 'ms', better: 'lower' }],
      variants: [
        ...(/** @type {const} */ (['thread', 'process'])).map((method) =>
          mp(method, async (pool) => {
            const start = performance.now();
            await pool.map(SQUARE, items.slice(0, chunkItems));
            return performance.now() - start;
          }),
        ),
        {
          name: "@mp/cluster chunksize 1, 'thread' workers",
          kind: 'peer',
          setup: async () => void (await clusterPool('thread')),
          async once() {
            const pool = await clusterPool('thread');
            const start = performance.now();
            await pool.map(SQUARE, items.slice(0, chunkItems), { chunksize: 1 });
            return performance.now() - start;
          },
        },
      ],
    },
  ];
}
