import { ref } from '@mp/core';
import type { Pool } from '@mp/pool';
import { describe, expectTypeOf, it } from 'vitest';

declare const pool: Pool;
declare function square(x: number): number;
declare function slow(x: number): Promise<string>;
declare function add(a: number, b: number): number;

describe('types', () => {
  it('infers results from the task function', () => {
    // Checked by the compiler (typecheck); never called.
    const checks = () => {
      expectTypeOf(pool.apply(square, [1])).toEqualTypeOf<Promise<number>>();
      expectTypeOf(pool.apply(slow, [1])).toEqualTypeOf<Promise<string>>();
      expectTypeOf(pool.map(square, [1, 2])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.map(slow, [1, 2])).toEqualTypeOf<Promise<string[]>>();
      expectTypeOf(pool.starmap(add, [[1, 2]])).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.imap(slow, [1])).toEqualTypeOf<AsyncIterableIterator<string>>();
      expectTypeOf(pool.applyAsync(square, [2]).get()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(pool.apply<number>(ref('./x.js', 'f'), [1])).toEqualTypeOf<Promise<number>>();
      // @ts-expect-error wrong argument type
      void pool.apply(square, ['x']);
      // Awaitable results, options in place of chunksize.
      const awaited = async () => {
        expectTypeOf(await pool.applyAsync(square, [2])).toEqualTypeOf<number>();
        expectTypeOf(await Promise.all([pool.applyAsync(square, [2]), pool.applyAsync(slow, [2])])).toEqualTypeOf<[number, string]>();
        expectTypeOf(await pool.mapAsync(square, [1], { chunksize: 1, signal: AbortSignal.timeout(1) })).toEqualTypeOf<number[]>();
      };
      void awaited;
      expectTypeOf(pool.map(square, [1], { chunksize: 1, timeout: 5 })).toEqualTypeOf<Promise<number[]>>();
      expectTypeOf(pool.imap(slow, [1], { signal: new AbortController().signal })).toEqualTypeOf<AsyncIterableIterator<string>>();
      // @ts-expect-error a signal must be an AbortSignal
      void pool.apply(square, [1], { signal: 'stop' });
    };
    expectTypeOf(checks).toBeFunction();
  });
});
