// Lock: uncontended acquire+release in the main thread, beside a raw Atomics
// CAS lock; contended (2 children incrementing one counter under the lock),
// beside the same children using a raw Atomics lock; CPython's Lock in the same run.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Process, allocateShared, isMain, ref, waitAsync } from '@mp/core';
import { Lock, RLock, Semaphore } from '@mp/sync';
import { printTable, type Row } from './table.ts';

const UNCONTENDED_OPS = 2_000_000;
const ASYNC_OPS = 200_000;
const CONTENDED_TIMES = 200_000;
const CHILDREN = 2;
const ROUNDS = 5;
const FIXTURE = new URL('./fixtures/lock.ts', import.meta.url);

/** Best time per operation over ROUNDS rounds of `ops` operations, in ns. */
function perOp(ops: number, body: (ops: number) => void): number {
  body(Math.min(ops, 100_000)); // warm up the JIT
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    body(ops);
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / ops;
}

async function perOpAsync(ops: number, body: (ops: number) => Promise<void>): Promise<number> {
  await body(Math.min(ops, 10_000));
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    await body(ops);
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / ops;
}

async function uncontended(): Promise<Row[]> {
  const raw = new Int32Array(new SharedArrayBuffer(8));
  const lock = new Lock();
  const rlock = new RLock();
  const semaphore = new Semaphore(1);
  const RAW = 'raw Atomics CAS lock + exchange unlock';
  const rows: Row[] = [
    {
      name: RAW,
      unit: 'ns',
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          if (Atomics.compareExchange(raw, 0, 0, 1) !== 0) throw new Error('contended');
          if (Atomics.exchange(raw, 0, 0) === 2) Atomics.notify(raw, 0, 1);
        }
      }),
    },
    {
      name: 'Lock acquireSync() + release()',
      unit: 'ns',
      baseline: RAW,
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          lock.acquireSync();
          lock.release();
        }
      }),
    },
    {
      name: 'Lock tryAcquire() + release()',
      unit: 'ns',
      baseline: RAW,
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          lock.tryAcquire();
          lock.release();
        }
      }),
    },
    {
      name: 'Lock: using _ = lock.holdSync()',
      unit: 'ns',
      baseline: RAW,
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          using _ = lock.holdSync();
        }
      }),
    },
    {
      name: 'RLock acquireSync() + release()',
      unit: 'ns',
      baseline: RAW,
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          rlock.acquireSync();
          rlock.release();
        }
      }),
    },
    {
      name: 'Semaphore(1) acquireSync() + release()',
      unit: 'ns',
      baseline: RAW,
      value: perOp(UNCONTENDED_OPS, (ops) => {
        for (let i = 0; i < ops; i++) {
          semaphore.acquireSync();
          semaphore.release();
        }
      }),
    },
    {
      name: 'Lock await acquire() + release()',
      unit: 'ns',
      baseline: RAW,
      value: await perOpAsync(ASYNC_OPS, async (ops) => {
        for (let i = 0; i < ops; i++) {
          await lock.acquire();
          lock.release();
        }
      }),
    },
  ];
  const py = python(`
import multiprocessing as mp, threading, time, json
def per_op(lock, n):
    best = float('inf')
    for _ in range(${ROUNDS}):
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire(); lock.release()
        best = min(best, time.perf_counter() - t)
    return best * 1e9 / n
n = 1_000_000
print(json.dumps({'mp': per_op(mp.Lock(), n), 'with': 0, 'threading': per_op(threading.Lock(), n)}))
`);
  if (py) {
    rows.push({ name: `${py.version} multiprocessing.Lock acquire()+release()`, unit: 'ns', baseline: RAW, value: py.result['mp']! });
    rows.push({ name: `${py.version} threading.Lock acquire()+release()`, unit: 'ns', baseline: RAW, value: py.result['threading']! });
  }
  return rows;
}

/** Wall time from "go" until every child is done, best of ROUNDS, in ms. */
async function race(target: 'withLock' | 'withRawLock', make: () => unknown): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const counter = allocateShared(4);
    const gate = allocateShared(12);
    const g = gate.int32();
    const primitive = make();
    const children = Array.from({ length: CHILDREN }, () => {
      const child = new Process({ target: ref(FIXTURE, target), args: [primitive, counter, CONTENDED_TIMES, gate], context: 'thread' });
      child.start();
      return child;
    });
    // Start-up is not what we measure: wait until every child is at the gate.
    for (let ready = 0; ready < CHILDREN; ready = Atomics.load(g, 1)) {
      if (children.some((child) => child.exitCode !== null)) throw new Error(`a bench child exited early (exit codes ${children.map((child) => child.exitCode).join(', ')})`);
      await waitAsync(g, 1, ready, 100);
    }
    const t0 = performance.now();
    Atomics.store(g, 0, 1);
    Atomics.notify(g, 0);
    for (let done = 0; done < CHILDREN; done = Atomics.load(g, 2)) Atomics.wait(g, 2, done);
    best = Math.min(best, performance.now() - t0);
    await Promise.all(children.map((child) => child.join()));
    const total = counter.int32()[0];
    if (total !== CHILDREN * CONTENDED_TIMES) throw new Error(`${target}: lost increments (${total})`);
  }
  return best;
}

async function contended(): Promise<Row[]> {
  const RAW = `raw Atomics futex lock (${CHILDREN} children)`;
  const rows: Row[] = [
    { name: RAW, unit: 'ns/increment', value: ((await race('withRawLock', () => allocateShared(4))) * 1e6) / (CHILDREN * CONTENDED_TIMES) },
    {
      name: `Lock acquireSync()/release() (${CHILDREN} children)`,
      unit: 'ns/increment',
      baseline: RAW,
      value: ((await race('withLock', () => new Lock())) * 1e6) / (CHILDREN * CONTENDED_TIMES),
    },
  ];
  const py = python(`
import multiprocessing as mp, time, json
def work(lock, v, n, barrier):
    barrier.wait()
    for _ in range(n):
        with lock:
            v.value += 1
if __name__ == '__main__':
    mp.set_start_method('fork')
    best = float('inf')
    n = ${CONTENDED_TIMES}
    for _ in range(${ROUNDS}):
        lock = mp.Lock()
        v = mp.RawValue('i', 0)
        barrier = mp.Barrier(${CHILDREN + 1})
        ps = [mp.Process(target=work, args=(lock, v, n, barrier)) for _ in range(${CHILDREN})]
        for p in ps: p.start()
        barrier.wait()
        t = time.perf_counter()
        for p in ps: p.join()
        best = min(best, time.perf_counter() - t)
        assert v.value == n * ${CHILDREN}, v.value
    print(json.dumps({'ns': best * 1e9 / (n * ${CHILDREN})}))
`);
  if (py) rows.push({ name: `${py.version} Lock, ${CHILDREN} processes (fork)`, unit: 'ns/increment', baseline: RAW, value: py.result['ns']! });
  return rows;
}

/** Runs a CPython snippet that prints one JSON object; undefined (with a note) when python3 is missing. */
export function python(code: string): { version: string; result: Record<string, number> } | undefined {
  const run = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    console.log(`(CPython skipped: ${run.error?.message ?? run.stderr.trim().split('\n').at(-1)})`);
    return undefined;
  }
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { version, result: JSON.parse(run.stdout) as Record<string, number> };
}

export async function main(): Promise<void> {
  printTable(`Uncontended acquire + release, main thread (best of ${ROUNDS} × ${UNCONTENDED_OPS.toLocaleString('en')})`, await uncontended());
  printTable(
    `Contended: ${CHILDREN} thread children × ${CONTENDED_TIMES.toLocaleString('en')} increments of one counter under the lock (best of ${ROUNDS})`,
    await contended(),
  );
}

if (isMain(import.meta)) await main();

