import { Pool } from '@mp/pool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const square = fx('square', 'square');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe.each(['thread', 'process'] as const)('imap / imapUnordered (%s)', (method) => {
  // One pool for the tests that leave it as they found it (starting workers is what costs).
  let shared: Pool;
  beforeAll(() => {
    shared = new Pool({ processes: 2, context: method });
  });
  afterAll(async () => {
    await shared.terminate();
  });

  it('imap yields in input order, imapUnordered yields every result', async () => {
    const pool = shared;
    // Later items finish first: ordering comes from the pool, not from timing.
    const delays = range(8).map((x) => [x, (8 - x) * 3] as const);
    const echo = fx('forever', 'sleepEcho');
    const ordered = await collect(pool.imap(fx('async-task', 'slowDouble'), range(20)));
    expect(ordered).toEqual(range(20).map((x) => 2 * x));
    expect(await collect(pool.imap(square, range(10), 3))).toEqual(range(10).map((x) => x * x));
    const unordered = (await collect(pool.imapUnordered(square, range(50), 4))) as number[];
    expect([...unordered].sort((a, b) => a - b)).toEqual(range(50).map((x) => x * x));
    const starred = await pool.starmap(echo, delays.map(([x, ms]) => [x, ms]));
    expect(starred).toEqual(range(8));
  });

  it('reads the input lazily and stops reading when the loop breaks', async () => {
    const pool = shared;
    let pulled = 0;
    let closed = false;
    function* naturals() {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    const iterator = pool.imap(square, naturals());
    expect(pulled).toBe(0); // imap() itself reads nothing
    const seen: number[] = [];
    for await (const value of iterator) {
      seen.push(value as number);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([0, 1, 4, 9, 16]);
    expect(closed).toBe(true);
    expect(pulled).toBeGreaterThanOrEqual(5);
    expect(pulled).toBeLessThanOrEqual(5 + 64 + 1); // read ahead: max(64, 4 × processes) chunks
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(await pool.apply(square, [3])).toBe(9);
  });

  it('takes async iterables', async () => {
    const pool = shared;
    async function* numbers() {
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield i;
      }
    }
    expect(await collect(pool.imap(square, numbers()))).toEqual([0, 1, 4, 9, 16, 25]);
    const unordered = (await collect(pool.imapUnordered(square, numbers(), 2))) as number[];
    expect(unordered.sort((a, b) => a - b)).toEqual([0, 1, 4, 9, 16, 25]);
  });

  it('an input error surfaces at its position and ends the iteration', async () => {
    const pool = shared;
    function* brokenInput() {
      yield 1;
      yield 2;
      yield 3;
      throw new Error('input broke');
    }
    for (const ordered of [true, false]) {
      const iterator = ordered ? pool.imap(square, brokenInput(), 2) : pool.imapUnordered(square, brokenInput(), 2);
      const values: unknown[] = [];
      for (let i = 0; i < 3; i++) values.push((await iterator.next()).value);
      expect(values.sort()).toEqual([1, 4, 9]);
      expect((await rejection(iterator.next())).message).toBe('input broke');
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    }
  });

  it('a failed item rejects at its position; the iteration goes on', async () => {
    const pool = shared;
    const iterator = pool.imap(fx('fail', 'failOn'), [1, 'bad', 3]);
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    const error = await rejection(iterator.next());
    expect(error.name).toBe('ValueError');
    expect(error.message).toBe('not a number: bad');
    expect(await iterator.next()).toEqual({ done: false, value: 9 });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('an imap started before close() finishes, and join() waits for it', async () => {
    const pool = makePool({ processes: 2, context: method });
    const iterator = pool.imap(square, range(200));
    pool.close();
    await pool.join(); // the input is read to the end without a consumer
    expect(await collect(iterator)).toEqual(range(200).map((x) => x * x));
  });
});
