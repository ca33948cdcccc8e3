import { allocateShared, type StartMethod } from '@mp/core';
import { Queue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { BIG_BYTES, patternAt } from './fixtures/big-item.ts';
import { SHIFT } from './fixtures/produce.ts';
import { parsePayload } from './fixtures/victims.ts';
import { joinAll, start } from './helpers.ts';

/** Checks the reports of several consumers: each item exactly once, each producer's items in order in every consumer. */
function checkExactlyOnceAndFifo(reports: Int32Array[], producers: number, perProducer: number): void {
  const seen = new Uint8Array(producers * perProducer);
  for (const report of reports) {
    const last = new Array<number>(producers).fill(-1);
    for (const code of report) {
      const id = Math.floor(code / SHIFT);
      const i = code % SHIFT;
      expect(seen[id * perProducer + i], `item [${id}, ${i}] delivered twice`).toBe(0);
      seen[id * perProducer + i] = 1;
      expect(i, `producer ${id}'s items out of order in one consumer`).toBeGreaterThan(last[id]!);
      last[id] = i;
    }
  }
  expect(seen.every((s) => s === 1), 'every item delivered').toBe(true);
}

/**
 * The stress cases, for one start method. Two test files run them, one per
 * start method, so that vitest runs the two halves side by side.
 */
export function queueStress(method: StartMethod): void {
  describe(`Queue stress between ${method} children`, () => {
    it('4 producers × 4 consumers: every item exactly once, FIFO per producer', async () => {
      const PRODUCERS = 4;
      const PER_PRODUCER = 6_000;
      const q = new Queue<number | null>();
      const report = new Queue<Int32Array>();
      const consumers = [0, 1, 2, 3].map((c) => start('consume', c % 2 ? 'collectAsync' : 'collect', [q, report], method));
      const producers = Array.from({ length: PRODUCERS }, (_, id) =>
        start('produce', id % 2 ? 'putRangeAsync' : 'putRange', [q, id, PER_PRODUCER], method),
      );
      expect(await joinAll(producers)).toEqual([0, 0, 0, 0]);
      for (let i = 0; i < consumers.length; i++) await q.put(null);
      const reports: Int32Array[] = [];
      for (let i = 0; i < consumers.length; i++) reports.push(await report.get());
      expect(await joinAll(consumers)).toEqual([0, 0, 0, 0]);
      checkExactlyOnceAndFifo(reports, PRODUCERS, PER_PRODUCER);
      expect(q.qsize()).toBe(0);
    }, 60_000);

    // The same code paths as under 'thread' (only the children differ): once is enough.
    it.skipIf(method === 'process')('a bounded queue under 4 × 4: exactly once, FIFO per producer, never more than maxsize', async () => {
      const q = new Queue<number | null>(16);
      const report = new Queue<Int32Array>();
      const consumers = [0, 1, 2, 3].map(() => start('consume', 'collect', [q, report], method));
      const producers = [0, 1, 2, 3].map((id) => start('produce', 'putRange', [q, id, 5_000], method));
      let peak = 0;
      const watch = setInterval(() => (peak = Math.max(peak, q.qsize())), 1);
      expect(await joinAll(producers)).toEqual([0, 0, 0, 0]);
      clearInterval(watch);
      for (let i = 0; i < consumers.length; i++) await q.put(null);
      const reports: Int32Array[] = [];
      for (let i = 0; i < consumers.length; i++) reports.push(await report.get());
      expect(await joinAll(consumers)).toEqual([0, 0, 0, 0]);
      checkExactlyOnceAndFifo(reports, 4, 5_000);
      expect(peak).toBeLessThanOrEqual(16);
    }, 60_000);

    it.skipIf(method === 'process')('one consumer sees each producer’s items in exactly the order they were put (structured items)', async () => {
      const q = new Queue<[number, number] | null>();
      const report = new Queue<Int32Array>();
      const consumer = start('consume', 'collectPairs', [q, report], method);
      const producers = [0, 1, 2].map((id) => start('produce', 'putPairs', [q, id, 3_000], method));
      await joinAll(producers);
      await q.put(null);
      checkExactlyOnceAndFifo([await report.get()], 3, 3_000);
      await joinAll([consumer]);
    }, 60_000);

    it('a 16 MiB item arrives intact while other items flow around it', async () => {
      const q = new Queue<unknown>();
      const big = start('big-item', 'putBigBetweenSmall', [q, 500, 500], method);
      const small = start('big-item', 'putSmall', [q, 3_000], method);
      const next = [0, 0, 0];
      let bigItem: Uint8Array | undefined;
      let smallBeforeBig = 0;
      for (let received = 0; received < 4_001; received++) {
        const item = await q.get();
        if (item instanceof Uint8Array) {
          bigItem = item;
          continue;
        }
        const [id, i] = item as [number, number];
        expect(i).toBe(next[id]);
        next[id]!++;
        if (!bigItem && id === 2) smallBeforeBig++;
      }
      expect(await joinAll([big, small])).toEqual([0, 0]);
      expect(next).toEqual([0, 1_000, 3_000]);
      expect(bigItem?.byteLength).toBe(BIG_BYTES);
      let intact = true;
      for (let i = 0; i < BIG_BYTES; i++) if (bigItem![i] !== patternAt(i)) { intact = false; break; }
      expect(intact).toBe(true);
      expect(q.empty()).toBe(true);
      expect(smallBeforeBig).toBeGreaterThanOrEqual(0);
    }, 60_000);

    it('producers killed mid-put never corrupt the queue: the others’ items all arrive, each victim’s are a gapless prefix', async () => {
      const q = new Queue<string | number | null>();
      const started = new Queue<number>();
      const victimsNext = new Map<number, number>();
      const HEALTHY = 5_000;
      // The healthy producer runs throughout: it must get through locks whose owners were killed.
      const healthy = start('produce', 'putRange', [q, 0, HEALTHY], method);
      let healthyNext = 0;
      let nextVictim = 100;
      const take = async (): Promise<void> => {
        const item = await q.get();
        if (typeof item === 'number') {
          expect(item).toBe(healthyNext++);
          return;
        }
        const parsed = parsePayload(item!);
        expect(parsed, `corrupted item ${String(item).slice(0, 20)}…`).toBeDefined();
        const [id, i] = parsed!;
        expect(i, `victim ${id}: gap or repeat`).toBe(victimsNext.get(id) ?? 0);
        victimsNext.set(id, i + 1);
      };
      const ROUNDS = method === 'thread' ? 3 : 2;
      for (let round = 0; round < ROUNDS; round++) {
        const victims = [0, 1, 2].map(() => start('victims', 'putUntilKilled', [q, nextVictim++, started], method));
        for (const _ of victims) await started.get();
        // Let them put for a while, taking items meanwhile, then kill them wherever they are.
        for (let i = 0; i < 300 + round * 71; i++) await take();
        victims[0]!.kill();
        victims[1]!.terminate();
        victims[2]!.kill();
        expect(await joinAll(victims)).toEqual([-9, -15, -9]);
      }
      // The queue still works for everyone: the healthy producer finishes, everything drains.
      expect(await joinAll([healthy])).toEqual([0]);
      while (!q.empty()) await take();
      expect(healthyNext).toBe(HEALTHY);
      expect(victimsNext.size).toBe(ROUNDS * 3);
      await q.put(null);
      expect(await q.get()).toBe(null);
      expect(q.qsize()).toBe(0);
    }, 60_000);

    it('consumers killed mid-get lose at most the item each was taking; nothing is delivered twice', async () => {
      const COUNT = 30_000;
      const q = new Queue<string>();
      const started = new Queue<number>();
      // What the victims took, counted per item in shared memory (an array view travels by identity).
      const marks = allocateShared(COUNT * 4).int32();
      const producer = start('victims', 'putPayloads', [q, COUNT], method);
      let killed = 0;
      const counted = (): number => marks.reduce((sum, n) => sum + n, 0);
      for (let round = 0; round < 4; round++) {
        const victims = [0, 1].map((i) => start('victims', 'takeUntilKilled', [q, marks, started, i], method));
        await started.get();
        await started.get();
        // Let them take a while (the producer keeps putting), then kill them wherever they are.
        const target = Math.min(counted() + 2_000, COUNT - killed - 2);
        while (counted() < target) await new Promise((resolve) => setTimeout(resolve, 1));
        victims[0]!.kill();
        victims[1]!.terminate();
        await joinAll(victims);
        killed += 2;
      }
      await joinAll([producer]);
      // The survivor (this thread) takes the rest.
      const rest = new Int32Array(COUNT);
      while (!q.empty()) {
        const parsed = parsePayload(await q.get());
        expect(parsed).toBeDefined();
        rest[parsed![1]]!++;
      }
      let delivered = 0;
      for (let i = 0; i < COUNT; i++) {
        const times = marks[i]! + rest[i]!;
        expect(times, `item ${i} delivered ${times} times`).toBeLessThanOrEqual(1);
        delivered += times;
      }
      expect(delivered).toBeGreaterThanOrEqual(COUNT - killed);
    }, 60_000);
  });
}
