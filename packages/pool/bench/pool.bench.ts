import { ref } from '@mp/core';
import { Pool } from '@mp/pool';

/**
 * The @mp/pool cases: map throughput, start+close+join, start+first task+shutdown,
 * and sequential apply round trips. Each returns the median of `reps` runs.
 */

export interface PoolCase {
  readonly startCloseJoinMs: number;
  readonly startTaskShutdownMs: number;
  readonly mapItemsPerSec: number;
  readonly applyRoundTripUs: number;
}

export interface BenchSize {
  readonly processes: number;
  readonly items: number;
  readonly applies: number;
  readonly reps: number;
}

/** How long the pool works before it is timed. */
const WARM_UP_MS = 1_500;

const square = ref(new URL('./fixtures/square.mjs', import.meta.url), 'square');
const ident = ref(new URL('./fixtures/square.mjs', import.meta.url), 'ident');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchPool(method: 'thread' | 'process', size: BenchSize): Promise<PoolCase> {
  const { processes, items, applies, reps } = size;
  const starts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const pool = new Pool({ processes, context: method });
    pool.close();
    await pool.join();
    starts.push(performance.now() - t);
  }
  const firsts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const pool = new Pool({ processes, context: method });
    await pool.apply(square, [1]);
    pool.close();
    await pool.join();
    firsts.push(performance.now() - t);
  }
  const pool = new Pool({ processes, context: method });
  try {
    const data = Array.from({ length: items }, (_, i) => i);
    // Warm up: until every worker has answered (the pool starts the workers
    // beyond the first once the first has answered, see the README), then for a
    // while, so that the JIT has the loops hot.
    const seen = new Set<unknown>();
    while (seen.size < processes) for (const who of await pool.map(ident, Array.from({ length: 4 * processes }), 1)) seen.add(who);
    for (const until = performance.now() + WARM_UP_MS; performance.now() < until; ) await pool.map(square, data);
    const rates: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const result = (await pool.map(square, data)) as number[];
      rates.push(items / ((performance.now() - t) / 1000));
      if (result[items - 1] !== (items - 1) ** 2) throw new Error('wrong map result');
    }
    for (let i = 0; i < 1_000; i++) await pool.apply(square, [i]);
    const trips: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      for (let i = 0; i < applies; i++) await pool.apply(square, [i]);
      trips.push(((performance.now() - t) / applies) * 1000);
    }
    return { startCloseJoinMs: median(starts), startTaskShutdownMs: median(firsts), mapItemsPerSec: median(rates), applyRoundTripUs: median(trips) };
  } finally {
    await pool.terminate();
  }
}
