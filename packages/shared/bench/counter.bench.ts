// 4 children × 100,000 increments of one shared counter: under its lock, with
// the atomic helper, with raw Atomics (baseline), and CPython's Value under its
// lock (fork) in the same run.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Process, ref } from '@mp/core';
import { RawArray, Value } from '@mp/shared';

const CHILDREN = 4;
const TIMES = 100_000;
const ROUNDS = 5;
const FIXTURE = new URL('./fixtures/counter.ts', import.meta.url);

interface Result {
  readonly name: string;
  /** Best wall time of the rounds, from the go signal until every child is done (ms). */
  readonly ms: number;
  readonly total: number | bigint;
}

async function race(name: string, target: 'locked' | 'atomic' | 'raw'): Promise<Result> {
  let best = Infinity;
  let total: number | bigint = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const counter = target === 'raw' ? RawArray('i', 1) : new Value('i', 0);
    const gate = RawArray('i', 3);
    const children = Array.from({ length: CHILDREN }, () => {
      const child = new Process({ target: ref(FIXTURE, target), args: [counter, TIMES, gate], context: 'thread' });
      child.start();
      return child;
    });
    // Let every child reach the gate: its start-up is not what we measure.
    for (let ready = 0; ready < CHILDREN; ready = Atomics.load(gate, 2)) await Atomics.waitAsync(gate, 2, ready, 100).value;
    const started = performance.now();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    for (let done = 0; done < CHILDREN; done = Atomics.load(gate, 1)) Atomics.wait(gate, 1, done);
    best = Math.min(best, performance.now() - started);
    await Promise.all(children.map((child) => child.join()));
    total = counter instanceof Value ? counter.value : counter[0]!;
    if (Number(total) !== CHILDREN * TIMES) throw new Error(`${name}: lost increments (${total})`);
  }
  return { name, ms: best, total };
}

const PYTHON = `
import json, multiprocessing as mp, time
def work(v, n, barrier):
    barrier.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1
if __name__ == '__main__':
    mp.set_start_method('fork')
    best = float('inf')
    for _ in range(${ROUNDS}):
        v = mp.Value('i', 0)
        barrier = mp.Barrier(${CHILDREN + 1})
        ps = [mp.Process(target=work, args=(v, ${TIMES}, barrier)) for _ in range(${CHILDREN})]
        for p in ps: p.start()
        time.sleep(0.3)
        barrier.wait()
        t = time.perf_counter()
        for p in ps: p.join()
        best = min(best, (time.perf_counter() - t) * 1000)
        assert v.value == ${CHILDREN * TIMES}, v.value
    print(json.dumps({'ms': best, 'total': v.value}))
`;

function cpython(): Result | undefined {
  const run = spawnSync('python3', ['-c', PYTHON], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    console.log(`(CPython skipped: ${run.error?.message ?? run.stderr.trim().split('\n').at(-1)})`);
    return undefined;
  }
  const { ms, total } = JSON.parse(run.stdout) as { ms: number; total: number };
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { name: `${version}: with v.get_lock(): v.value += 1 (fork)`, ms, total };
}

export async function main(): Promise<void> {
  console.log(`\n@mp/shared: ${CHILDREN} children × ${TIMES.toLocaleString('en')} increments of one counter (best of ${ROUNDS}, Node ${process.version})\n`);
  const results = [
    await race('Value: lock.acquireSync(); v.value += 1; release()', 'locked'),
    await race('Value: v.add(1) (atomic helper)', 'atomic'),
    await race('baseline: Atomics.add(RawArray, 0, 1)', 'raw'),
  ];
  const python = cpython();
  if (python) results.push(python);
  const reference = python ?? results[0]!;
  const raw = results[2]!;
  const rows = results.map((r) => [
    r.name,
    r.ms.toFixed(1),
    ((r.ms * 1e6) / (CHILDREN * TIMES)).toFixed(1),
    `${(reference.ms / r.ms).toFixed(2)}×`,
    `${(r.ms / raw.ms).toFixed(1)}×`,
  ]);
  const header = ['case', 'ms', 'ns/incr', python ? 'speed vs CPython' : 'speed vs locked', 'time vs raw Atomics'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
