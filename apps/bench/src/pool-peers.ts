// The Node.js worker pools doing the work of packages/pool/bench/pool.bench.ts:
// map(square, N) as chunks of ceil(N / (4 × processes)) (what Pool.map sends), pool
// start + first task + shutdown, sequential round trips. Prints one JSON object.
// Run by packages/pool/bench/run.ts (the peers are devDependencies of this app).
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';

interface Peer {
  run(name: 'square' | 'squareChunk', arg: unknown): Promise<unknown>;
  destroy(): Promise<unknown>;
}

const WORKER = new URL('./pool-peers-worker.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = new URL('./pool-peers-workerpool.mjs', import.meta.url);

function makePeer(name: string, processes: number): Peer {
  switch (name) {
    case 'piscina': {
      const pool = new Piscina({ filename: WORKER.href, minThreads: processes, maxThreads: processes });
      return { run: (fn, arg) => pool.run(arg, { name: fn }), destroy: () => pool.destroy() };
    }
    case 'tinypool': {
      const pool = new Tinypool({ filename: WORKER.href, minThreads: processes, maxThreads: processes });
      return { run: (fn, arg) => pool.run(arg, { name: fn }), destroy: () => pool.destroy() };
    }
    case 'workerpool': {
      const pool = workerpool.pool(WORKERPOOL_SCRIPT.pathname, { minWorkers: processes, maxWorkers: processes, workerType: 'thread' });
      return {
        run: async (fn, arg) => (await pool.exec(fn, [arg])) as unknown,
        destroy: async () => {
          await pool.terminate();
        },
      };
    }
    default:
      throw new Error(`unknown peer ${name}`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function bench(name: string, processes: number, items: number, applies: number, reps: number) {
  const firsts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const pool = makePeer(name, processes);
    await pool.run('square', 1);
    await pool.destroy();
    firsts.push(performance.now() - t);
  }
  const pool = makePeer(name, processes);
  try {
    const data = Array.from({ length: items }, (_, i) => i);
    const size = Math.ceil(items / (4 * processes));
    const map = async () => {
      const chunks: number[][] = [];
      for (let i = 0; i < items; i += size) chunks.push(data.slice(i, i + size));
      const parts = (await Promise.all(chunks.map((chunk) => pool.run('squareChunk', chunk)))) as number[][];
      const out: number[] = [];
      for (const part of parts) for (const value of part) out.push(value);
      return out;
    };
    for (const until = performance.now() + 1_500; performance.now() < until; ) await map(); // as pool.bench.ts warms up
    const rates: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const result = await map();
      rates.push(items / ((performance.now() - t) / 1000));
      if (result[items - 1] !== (items - 1) ** 2) throw new Error('wrong map result');
    }
    for (let i = 0; i < 1_000; i++) await pool.run('square', i);
    const trips: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      for (let i = 0; i < applies; i++) await pool.run('square', i);
      trips.push(((performance.now() - t) / applies) * 1000);
    }
    return { startTaskShutdownMs: median(firsts), mapItemsPerSec: median(rates), applyRoundTripUs: median(trips) };
  } finally {
    await pool.destroy();
  }
}

const [processes, items, applies, reps] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const out: Record<string, unknown> = {};
for (const name of ['piscina', 'tinypool', 'workerpool']) out[name] = await bench(name, processes, items, applies, reps);
console.log(JSON.stringify(out));
