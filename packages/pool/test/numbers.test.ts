// The fast paths of map chunks made of numbers (src/internal/numbers.ts): a chunk of 32 to 1,023
// numbers crosses as one Float64Array, a larger one stays in a block of shared memory that the
// worker writes its results over; the results come back packed too when they are all numbers.
// These tests prove that this changes nothing a caller can see — values, order, errors by
// position, shared objects in other chunks, async tasks, the exact accounting of a worker lost in
// the middle of a chunk — and that every block of shared memory is given back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateShared } from '@mp/core';
import { arenaUsage, sweep } from '@mp/core/internal';
import { Pool, WorkerLostError } from '@mp/pool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every outcome of an imap, in order: the value, or the error of that item. */
async function outcomes<T>(iterator: AsyncIterableIterator<T>): Promise<Array<T | Error>> {
  const all: Array<T | Error> = [];
  for (;;) {
    try {
      const step = await iterator.next();
      if (step.done) return all;
      all.push(step.value);
    } catch (error) {
      all.push(error as Error);
    }
  }
}

/** Blocks of the shared arena in use, once what was let go is swept. */
async function arenaInUse(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    sweep();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return arenaUsage().inUse;
}

// 64: a chunk packed in a Float64Array; 1,024: a chunk in shared memory.
const SIZES = [64, 1_024] as const;
/** Bytes of the arena that may stay in use after the leak test: far less than one block of 1,024 numbers. */
const SLACK = 2_048;

describe.each(['thread', 'process'] as const)('map over numbers (%s)', (method) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context: method });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each(SIZES)('gives back every number exactly, in order (−0, NaN, ±Infinity, beyond 2^53, subnormals), chunks of %i', async (chunksize) => {
    const odd = [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 60), 5e-324, 0.1 + 0.2, -7, 2 ** 31, 1.5];
    const items = range(3 * chunksize + 5).map((i) => odd[i % odd.length]!);
    const result = await pool.map(fx('numbers', 'ident'), items, chunksize);
    expect(result).toHaveLength(items.length);
    result.forEach((value, i) => expect(Object.is(value, items[i])).toBe(true));
    const squares = await pool.map(fx('square', 'square'), range(100_000), chunksize === 64 ? 999 : undefined);
    expect(squares.length).toBe(100_000);
    expect(squares.every((value, i) => value === i * i)).toBe(true);
  });

  it.each(SIZES)('reports an error in the middle of a chunk of %i numbers by its position; the other items all ran', async (chunksize) => {
    const error = await rejection(pool.map(fx('numbers', 'failAt37'), range(3 * chunksize), chunksize));
    expect(error.name).toBe('ValueError');
    expect(error.message).toBe('bad item 37'); // the first by position, not 137 or 237
    const all = await outcomes(pool.imap<number>(fx('numbers', 'failAt37'), range(2 * chunksize), { chunksize }));
    expect(all.map((outcome) => (outcome instanceof Error ? outcome.message : outcome))).toEqual(
      range(2 * chunksize).map((x) => (x % 100 === 37 ? `bad item ${x}` : x * x)),
    );
  });

  it.each(SIZES)('mixes chunks of %i numbers with a chunk that holds a shared object', async (chunksize) => {
    const region = allocateShared(4);
    Atomics.store(region.int32(), 0, 4321);
    const items = [...range(chunksize), { region }, ...range(2 * chunksize)];
    const expected = [...range(chunksize).map((x) => 2 * x), 4321, ...range(2 * chunksize).map((x) => 2 * x)];
    expect(await pool.map(fx('numbers', 'doubleOrRead'), items, chunksize)).toEqual(expected);
    expect(await pool.map(fx('numbers', 'doubleOrRead'), items, chunksize + 1)).toEqual(expected);
  });

  it.each(SIZES)('takes results that are not all numbers, and tasks that turn async, on chunks of %i numbers', async (chunksize) => {
    const items = range(2 * chunksize);
    expect(await pool.map(fx('numbers', 'wordAt40'), items, chunksize)).toEqual(items.map((x) => (x === 40 ? 'forty' : x)));
    expect(await pool.map(fx('numbers', 'halfLater'), range(1_100), chunksize)).toEqual(range(1_100).map((x) => x / 2));
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered<number>(fx('square', 'square'), range(5 * chunksize), chunksize)) unordered.push(value);
    expect(unordered.sort((a, b) => a - b)).toEqual(range(5 * chunksize).map((x) => x * x));
  });

  it.each([
    [50, 120],
    [1_024, 1_500],
  ] as const)('a worker lost in the middle of a chunk of %i numbers fails that chunk only, runs nothing twice, and is replaced', async (chunksize, exitAt) => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-numbers-'));
    dirs.push(dir);
    const lone = makePool({ processes: 1, context: method, initializer: fx('numbers', 'setRuns'), initargs: [dir, exitAt] });
    const count = 4 * chunksize;
    const lostFrom = Math.floor(exitAt / chunksize) * chunksize;
    const all = await outcomes(lone.imap<number>(fx('numbers', 'exitOnce'), range(count), { chunksize }));
    expect(all).toHaveLength(count);
    all.forEach((outcome, x) => {
      if (x >= lostFrom && x < lostFrom + chunksize) expect(outcome).toBeInstanceOf(WorkerLostError); // the chunk that was running
      else expect(outcome).toBe(x);
    });
    const runs = readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').map(Number);
    expect(runs.length).toBe(new Set(runs).size); // nothing ran twice
    expect(runs.filter((x) => x > exitAt && x < lostFrom + chunksize)).toEqual([]); // the rest of the lost chunk never ran
    expect(await lone.map(fx('square', 'square'), range(10_000))).toEqual(range(10_000).map((x) => x * x));
  }, 60_000);
});

describe.each(['thread', 'process'] as const)('blocks of shared memory of chunks of numbers (%s)', (method) => {
  it('are all given back: maps that succeed, fail, are aborted, lose a worker, or are cut short by terminate()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-numbers-'));
    dirs.push(dir);
    const pool = makePool({ processes: 2, context: method, initializer: fx('numbers', 'setRuns'), initargs: [dir, 2_500] });
    await pool.map(fx('square', 'square'), range(20_000), 1_024); // warm: workers up, the arena's lists at their size
    const before = await arenaInUse();
    for (let i = 0; i < 20; i++) await pool.map(fx('square', 'square'), range(20_000), 1_024);
    await rejection(pool.map(fx('numbers', 'failAt37'), range(20_000), 1_024));
    await pool.map(fx('numbers', 'wordAt40'), range(5_000), 1_024);
    // Aborted while chunks run, wait in a worker, and wait in the queue.
    const controller = new AbortController();
    const aborted = pool.map(fx('numbers', 'slowIdent'), range(50_000), { chunksize: 1_024, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await rejection(aborted)).name).toBe('AbortError');
    // A worker lost in the middle of a chunk (item 2,500: once).
    await rejection(pool.map(fx('numbers', 'exitOnce'), range(5_000), 1_024));
    await pool.map(fx('square', 'square'), range(20_000), 1_024);
    // A block left behind is at least 8 KB (1,024 numbers); the slack is for the word each replacement
    // worker counts its tasks in, while the dead workers' words wait for garbage collection.
    expect(await arenaInUse()).toBeLessThan(before + SLACK);
    // Terminated with chunks running and queued: their blocks come back once the workers are gone.
    // Its rejection is awaited from the start: it comes while terminate() is awaited, and a promise
    // rejected with no handler yet is an unhandled rejection.
    const cut = rejection(pool.map(fx('numbers', 'slowIdent'), range(50_000), 1_024));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.terminate();
    expect((await cut).name).toBe('PoolTerminatedError');
    expect(await arenaInUse()).toBeLessThan(before + SLACK);
  }, 60_000);
});
