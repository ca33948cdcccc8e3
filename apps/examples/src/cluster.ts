// Scaling out: the tutorial's pool program, run by mp-worker processes through Redis.
// `pnpm examples cluster` starts a local redis-server and two workers itself; on real
// machines you start those (see docs/guides/11-scaling-out.md) and run only the #main part.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from '@mp/core';
import { Pool } from '@mp/cluster';

// #region task
export function square(n: number): number {
  return n ** 2;
}
// #endregion task

/** Python's `print(list)` for a list of numbers: `[0, 1, 4]`. */
function pyList(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

const HANG_GUARD_MS = 20_000;
const RUN_GUARD_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `command` and resolves once it prints `ready` (a hang guard rejects after 20 s). What it prints
 * after that goes to this program's stderr, so that a worker's complaint is seen, not lost.
 */
function startUntil(command: string, args: string[], ready: RegExp, children: ChildProcess[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${seen}`)), HANG_GUARD_MS);
    const onData = (chunk: Buffer) => {
      if (started) return void process.stderr.write(`[${command === 'redis-server' ? 'redis-server' : `mp-worker ${child.pid}`}] ${chunk}`);
      seen += chunk.toString();
      if (ready.test(seen)) {
        started = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${command} exited with ${code ?? signal}: ${seen}`));
      else if (!stopping) process.stderr.write(`${command} (pid ${child.pid}) exited early, with ${code ?? signal}\n`);
    });
  });
}

/** Set once the example stops its helpers: their exit and last words are expected then. */
let stopping = false;

function stop(children: readonly ChildProcess[]): void {
  stopping = true;
  for (const child of children) {
    child.stdout!.removeAllListeners('data');
    child.stderr!.removeAllListeners('data');
    child.kill('SIGTERM');
  }
}

if (isMain(import.meta)) {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('This example needs redis-server: apt-get install -y redis-server (or brew install redis), then run it again.');
    process.exit(0);
  }
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mp-example-redis-'));
  // A hang guard for the whole run: it says so and exits, and the helpers are stopped on the way out.
  process.once('exit', () => stop(children));
  setTimeout(() => {
    console.error(`The cluster example did not finish within ${RUN_GUARD_MS} ms`);
    process.exit(1);
  }, RUN_GUARD_MS).unref();
  try {
    const port = await freePort();
    await startUntil('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], /Ready to accept connections/, children);
    const connection = `redis://127.0.0.1:${port}`;
    // Two workers, each with the project checkout as its root: they find this module by its path there.
    const bin = join(dirname(createRequire(import.meta.url).resolve('@mp/cluster/package.json')), 'dist/bin/mp-worker.js');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const method = process.env['MP_START_METHOD'] ?? 'thread';
    const worker = ['--connection', connection, '--queue', 'tutorial', '--concurrency', '2', '--start-method', method, '--root', root];
    await Promise.all([1, 2].map(() => startUntil(process.execPath, [bin, ...worker], /mp-worker ready/, children)));

    // #region main
    const pool = new Pool({ connection, queue: 'tutorial', processes: 4 });
    // The same program as the pool example: applyAsync returns at once, get() waits
    const result = pool.applyAsync(square, [10]);
    console.log(await result.get(10_000));
    console.log(pyList(await pool.map(square, Array.from({ length: 10 }, (_, i) => i))));
    // No more tasks; wait for them to finish, then the pool removes its keys from Redis
    pool.close();
    await pool.join();
    // #endregion main
  } finally {
    stop(children);
    rmSync(dir, { recursive: true, force: true });
  }
}
