import { describe, expect, it } from 'vitest';
import { notify, waitAsync } from '@mp/core';
import { RawArray, RawValue, SharedArray, Value } from '@mp/shared';
import { runChild, start } from './run-child.ts';

// Shared memory is a cross-process segment (on Linux, with @mp/native built): both start methods share it.
describe.each(['thread', 'process'] as const)('children (%s)', (method) => {
  it("sees a child's writes to a Value and a SharedArray after join()", async () => {
    const value = new Value('d', 0);
    const array = new SharedArray('i', Array.from({ length: 10 }, (_, i) => i));
    expect(await runChild('set-value', 'setValue', [value, 200], method)).toBe(0);
    expect(await runChild('negate', 'negate', [array], method)).toBe(0);
    expect(value.value).toBe(200);
    expect(array.slice()).toEqual([0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
  });

  it('sees writes of every typecode family', async () => {
    const big = new Value('Q', 0n);
    const small = new Value('c_byte', 0, { lock: false });
    expect(await runChild('set-value', 'setValue', [big, 2n ** 64n - 1n], method)).toBe(0);
    expect(await runChild('set-value', 'setValue', [small, -5], method)).toBe(0);
    expect(big.value).toBe(2n ** 64n - 1n);
    expect(small.value).toBe(-5);
  });

  it("sees a child's writes to RawArray typed arrays and a RawValue, which arrive by identity", async () => {
    const ints = RawArray('i', 4);
    const bigs = RawArray('Q', 1);
    const doubles = new SharedArray('d', 2).raw;
    const cell = RawValue('d');
    expect(await runChild('write-raw', 'writeRaw', [ints, bigs, doubles, cell, ints], method)).toBe(0);
    expect(Array.from(ints)).toEqual([123, 1, 0, -1]);
    expect(bigs[0]).toBe(2n ** 64n - 1n);
    expect(doubles[1]).toBe(0.5);
    expect(cell.value).toBe(2.5);
  });

  it('passes the lock by identity: a lock held by the child is held for the parent', async () => {
    const value = new Value('i', 0);
    const signal = RawArray('i', 1);
    const child = start('hold-lock', 'holdLock', [value, signal], method);
    // Wait (hang-guarded by the test timeout) until the child holds the lock.
    while (Atomics.load(signal, 0) !== 1) await waitAsync(signal, 0, 0, 50);
    expect(value.getLock().tryAcquire()).toBe(false);
    Atomics.store(signal, 0, 2);
    notify(signal, 0);
    await child.join();
    expect(child.exitCode).toBe(0);
    // The child wrote under the lock; taking the lock makes its write visible.
    expect(value.getLock().tryAcquire()).toBe(true);
    expect(value.value).toBe(7);
    value.getLock().release();
  });

  it('keeps one lock object for a Value and a SharedArray that share it', async () => {
    const value = new Value('i', 0);
    const array = new SharedArray('i', 1, { lock: value.getLock() });
    const result = RawArray('i', 1);
    expect(await runChild('same-lock', 'sameLock', [value, array, result], method)).toBe(0);
    expect(result[0]).toBe(1);
  });
});

describe.each(['thread', 'process'] as const)('lock semantics: 4 %s children × 10,000 increments', (method) => {
  const CHILDREN = 4;
  const TIMES = 10_000;

  it('`v.value += 1` under v.getLock() loses no increment', async () => {
    const counter = new Value('i', 0);
    const children = Array.from({ length: CHILDREN }, () => start('increment-locked', 'incrementLocked', [counter, TIMES], method));
    await Promise.all(children.map((child) => child.join()));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0]);
    expect(counter.value).toBe(CHILDREN * TIMES);
  });

  it('the atomic helper loses no increment either, on a Value and on an array element', async () => {
    const counter = new Value('i', 0);
    const array = new SharedArray('q', 3);
    const children = Array.from({ length: CHILDREN }, () => start('increment-atomic', 'incrementAtomic', [counter, array, TIMES], method));
    await Promise.all(children.map((child) => child.join()));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0]);
    expect(counter.value).toBe(CHILDREN * TIMES);
    expect(array.slice()).toEqual([0n, BigInt(CHILDREN * TIMES), 0n]);
  });
});
