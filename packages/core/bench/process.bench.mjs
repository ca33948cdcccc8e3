// Start + join of one no-op child, median of N, under each start method — beside
// a raw Worker / fork of the same Node (the floor) and CPython's Process (fork,
// spawn) when python3 is present. Cases are interleaved so drift hits all alike.
// Plain JavaScript on purpose: under tsx on Node 20 every child would also pay
// for loading tsx's loader, which is not what this measures (see the README).
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Process, isMain } from '@mp/core';

export function noop() {}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const SCRATCH = mkdtempSync(join(tmpdir(), 'mp-bench-'));
const EMPTY_MODULE = join(SCRATCH, 'empty.mjs');
writeFileSync(EMPTY_MODULE, 'process.exit(0);\n');

/** @type {{ name: string, once: () => Promise<void> }[]} */
const cases = [
  {
    name: "@mp Process 'thread'",
    async once() {
      const p = new Process({ target: noop, context: 'thread' });
      p.start();
      await p.join();
    },
  },
  {
    name: "@mp Process 'process'",
    async once() {
      const p = new Process({ target: noop, context: 'process' });
      p.start();
      await p.join();
    },
  },
  {
    name: 'raw new Worker (floor)',
    async once() {
      const w = new Worker('process.exit(0)', { eval: true });
      await new Promise((resolve) => w.once('exit', resolve));
    },
  },
  {
    name: 'raw child_process.fork (floor)',
    async once() {
      const c = fork(EMPTY_MODULE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise((resolve) => c.once('exit', resolve));
    },
  },
];

const PYTHON = `
import multiprocessing as mp, time, statistics, sys
def noop(): pass
if __name__ == '__main__':
    for method in ('fork', 'spawn'):
        ctx = mp.get_context(method); times = []
        for _ in range(int(sys.argv[1])):
            t = time.perf_counter(); p = ctx.Process(target=noop); p.start(); p.join(); times.append((time.perf_counter() - t) * 1000)
        print(method, statistics.median(times), min(times), max(times))
`;

/** @returns {[string, number, number, number][]} */
function python() {
  try {
    // spawn re-imports the main module: it must be a file, not `python3 -c`.
    const file = join(SCRATCH, 'process_bench.py');
    writeFileSync(file, PYTHON);
    const out = execFileSync('python3', [file, String(ROUNDS)], { encoding: 'utf8' });
    return out.trim().split('\n').map((line) => {
      const [method, median, min, max] = line.split(' ');
      return /** @type {[string, number, number, number]} */ ([`CPython Process ${method}`, Number(median), Number(min), Number(max)]);
    });
  } catch {
    console.log('(python3 not found: CPython rows skipped)');
    return [];
  }
}

/** @param {number[]} xs */
function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

if (isMain(import.meta)) {
  const times = new Map(cases.map((c) => [c.name, /** @type {number[]} */ ([])]));
  for (const c of cases) await c.once(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const t = performance.now();
      await c.once();
      times.get(c.name).push(performance.now() - t);
    }
  }
  const rows = cases.map((c) => {
    const xs = times.get(c.name);
    return /** @type {[string, number, number, number]} */ ([c.name, median(xs), Math.min(...xs), Math.max(...xs)]);
  });
  rows.push(...python());
  const base = rows[0][1];
  console.log(`start+join of one no-op child, median of ${ROUNDS} (ms), Node ${process.version}`);
  console.log('case'.padEnd(34), 'median'.padStart(8), 'min–max'.padStart(16), "  vs @mp 'thread'");
  for (const [name, med, min, max] of rows) {
    console.log(name.padEnd(34), med.toFixed(1).padStart(8), `${min.toFixed(1)}–${max.toFixed(1)}`.padStart(16), `  ${(med / base).toFixed(2)}×`);
  }
}
