// Real Redis and real mp-worker processes for the tests: no mocks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE_DIR, 'dist/bin/mp-worker.js');
const HANG_GUARD_MS = 20_000;

/** Whether redis-server is on the PATH. Under CI=true a missing one is a failure, never a skip. */
export const HAVE_REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_REDIS) {
  if (process.env['CI'] === 'true') throw new Error('redis-server is not on the PATH, and CI=true never skips the cluster tests: apt-get install -y redis-server');
  console.log('Skipping the @mp/cluster tests: redis-server is not installed (apt-get install -y redis-server)');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `child` prints a line matching `pattern` on stdout. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${HANG_GUARD_MS} ms; output: ${seen}`)), HANG_GUARD_MS);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready: ${seen}`));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  process: ChildProcess;
  /** Stops it (SIGKILL: no save on the way out) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  client(): Redis;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port, in a temporary folder. `persist`: an append-only file, fsynced always. */
export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mp-cluster-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'yes'];
  args.push(...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const launch = async () => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(child, /Ready to accept connections/, 'redis-server');
    return child;
  };
  const clients: Redis[] = [];
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    process: await launch(),
    async restart() {
      await kill(server.process, 'SIGKILL');
      server.process = await launch();
    },
    client() {
      const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await kill(server.process, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts an mp-worker process against `redis` (the package's built bin). */
export async function startWorker(redis: RedisServer, queue: string, flags: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '--connection', redis.url, '--queue', queue, '--root', PACKAGE_DIR, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(child, /mp-worker ready/, 'mp-worker');
  return child;
}

/** Every key in Redis (SCAN, not KEYS: the way to list them on a server in use). */
export async function allKeys(client: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

let queues = 0;
/** A queue name of its own for each test. */
export function newQueue(): string {
  return `q${process.pid}x${++queues}`;
}
