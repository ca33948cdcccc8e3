// The fast path of map chunks made of numbers (src/internal/numbers.ts): such a chunk crosses as
// one Float64Array, and so do its results when they are all numbers. These tests prove that it
// changes nothing a caller can see: values, order, errors by position, shared objects in other
// chunks, async tasks, and the exact accounting of a worker lost in the middle of a chunk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateShared } from '@mp/core';
import { Pool, WorkerLostError } from '@mp/pool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(['thread', 'process'] as const)('map over numbers (%s)', (method) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context: method });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('gives back every number exactly, in order (−0, NaN, ±Infinity, beyond 2^53, subnormals)', async () => {
    const odd = [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 60), 5e-324, 0.1 + 0.2, -7, 2 ** 31, 1.5];
    const items = range(200).map((i) => odd[i % odd.length]!);
    const result = await pool.map(fx('numbers', 'ident'), items, 64);
    expect(result).toHaveLength(items.length);
    result.forEach((value, i) => expect(Object.is(value, items[i])).toBe(true));
    const squares = await pool.map(fx('square', 'square'), range(100_000));
    expect(squares.length).toBe(100_000);
    expect(squares.every((value, i) => value === i * i)).toBe(true);
  });

  it('reports an error in the middle of a chunk of numbers by its position; the other items all ran', async () => {
    const error = await rejection(pool.map(fx('numbers', 'failAt37'), range(300), 100));
    expect(error.name).toBe('ValueError');
    expect(error.message).toBe('bad item 37'); // the first by position, not 137 or 237
    const results: Array<number | string> = [];
    const iterator = pool.imap<number>(fx('numbers', 'failAt37'), range(100), { chunksize: 50 });
    for (;;) {
      try {
        const step = await iterator.next();
        if (step.done) break;
        results.push(step.value);
      } catch (itemError) {
        results.push((itemError as Error).message);
      }
    }
    expect(results).toEqual(range(100).map((x) => (x === 37 ? 'bad item 37' : x * x)));
  });

  it('mixes chunks of numbers with a chunk that holds a shared object', async () => {
    const region = allocateShared(4);
    Atomics.store(region.int32(), 0, 4321);
    const items = [...range(40), { region }, ...range(79)];
    const expected = [...range(40).map((x) => 2 * x), 4321, ...range(79).map((x) => 2 * x)];
    expect(await pool.map(fx('numbers', 'doubleOrRead'), items, 40)).toEqual(expected);
    expect(await pool.map(fx('numbers', 'doubleOrRead'), items)).toEqual(expected);
  });

  it('takes results that are not all numbers, and async tasks, on chunks of numbers', async () => {
    expect(await pool.map(fx('numbers', 'wordAt40'), range(100), 50)).toEqual(range(100).map((x) => (x === 40 ? 'forty' : x)));
    expect(await pool.map(fx('async-task', 'slowDouble'), range(64), 64)).toEqual(range(64).map((x) => 2 * x));
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered<number>(fx('square', 'square'), range(1_000), 100)) unordered.push(value);
    expect(unordered.sort((a, b) => a - b)).toEqual(range(1_000).map((x) => x * x));
  });

  it('a worker lost in the middle of a chunk of numbers fails that chunk only, runs nothing twice, and is replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-numbers-'));
    dirs.push(dir);
    const lone = makePool({ processes: 1, context: method, initializer: fx('numbers', 'setRunsDir'), initargs: [dir] });
    const outcomes: Array<number | Error> = [];
    const iterator = lone.imap<number>(fx('numbers', 'exitAt120'), range(400), { chunksize: 50 });
    for (;;) {
      try {
        const step = await iterator.next();
        if (step.done) break;
        outcomes.push(step.value);
      } catch (error) {
        outcomes.push(error as Error);
      }
    }
    expect(outcomes).toHaveLength(400);
    outcomes.forEach((outcome, x) => {
      if (x >= 100 && x < 150) {
        expect(outcome).toBeInstanceOf(WorkerLostError); // the chunk that was running
      } else {
        expect(outcome).toBe(x);
      }
    });
    const runs = readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').map(Number);
    expect(runs.length).toBe(new Set(runs).size); // nothing ran twice
    expect(runs.filter((x) => x > 120 && x < 150)).toEqual([]); // the rest of the lost chunk never ran
    expect(await lone.map(fx('square', 'square'), range(1_000))).toEqual(range(1_000).map((x) => x * x));
    const error = await rejection(lone.map(fx('numbers', 'failAt37'), range(100)));
    expect(error.message).toBe('bad item 37');
  }, 60_000);
});
