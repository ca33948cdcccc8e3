import { ref, type TaskRef } from '@mp/core';
import { Pool, type PoolOptions } from '@mp/pool';
import { afterEach } from 'vitest';

/** A task exported by one of the fixtures. */
export function fx(file: string, name: string): TaskRef {
  return ref(new URL(`./fixtures/${file}.ts`, import.meta.url), name);
}

const pools: Pool[] = [];

/** A pool that is terminated after the test, whatever happens in it. */
export function makePool(options: PoolOptions): Pool {
  const pool = new Pool(options);
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

/** The rejection of a promise (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
