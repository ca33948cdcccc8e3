// The Node.js worker pools doing the work of packages/pool/bench/pool.bench.ts:
// map(square, N) as chunks of ceil(N / (4 × processes)) (what Pool.map sends), pool
// start + first task + shutdown, sequential round trips. Prints one JSON object.
// Run by packages/pool/bench/run.ts (the peers are devDependencies of this app);
// `pnpm bench` (src/main.mjs) measures the same peers through src/peers/pools.mjs.
import { PEERS, makePeer, peerMap } from './peers/pools.mjs';
import { summarize } from './stats.mjs';

async function bench(name: (typeof PEERS)[number], processes: number, items: number, applies: number, reps: number) {
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
    for (const until = performance.now() + 1_500; performance.now() < until; ) await peerMap(pool, data, processes); // as pool.bench.ts warms up
    const rates: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const result = await peerMap(pool, data, processes);
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
    return {
      startTaskShutdownMs: summarize(firsts).median,
      mapItemsPerSec: summarize(rates).median,
      applyRoundTripUs: summarize(trips).median,
    };
  } finally {
    await pool.destroy();
  }
}

const [processes, items, applies, reps] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const out: Record<string, unknown> = {};
for (const name of PEERS) out[name] = await bench(name, processes, items, applies, reps);
console.log(JSON.stringify(out));
