import { TimeoutError } from '@mp/core';
import { ResultNotReadyError } from '@mp/pool';
import { describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

describe.each(['thread', 'process'] as const)('AsyncResult (%s)', (method) => {
  it('get(timeout) rejects with TimeoutError; wait(timeout) resolves; ready / successful', async () => {
    // Two workers: the other one runs the later tasks while the first is held forever.
    const pool = makePool({ processes: 2, context: method });
    const result = pool.applyAsync(fx('forever', 'forever'));
    expect(await rejection(result.get(20))).toBeInstanceOf(TimeoutError);
    expect(await rejection(result.get(0))).toBeInstanceOf(TimeoutError);
    expect(await rejection(result.get(-5))).toBeInstanceOf(TimeoutError);
    await result.wait(20);
    expect(result.ready()).toBe(false);
    expect(() => result.successful()).toThrow(ResultNotReadyError);
    await expect(result.get(Number.NaN)).rejects.toThrow(TypeError);

    const done = pool.applyAsync(fx('square', 'square'), [12]);
    expect(await done.get(10_000)).toBe(144);
    expect(done.ready()).toBe(true);
    expect(done.successful()).toBe(true);
    expect(await done.get(0)).toBe(144);

    // A timed wait never ends before its timeout.
    const started = performance.now();
    await result.wait(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);

    const failed = pool.applyAsync(fx('fail', 'fail'), ['nope']);
    await failed.wait();
    expect(failed.successful()).toBe(false);
    expect((await rejection(failed.get())).message).toBe('nope');
  });
});
