import { inspect } from 'node:util';
import { isShareable } from '@mp/core';
import { describe, expect, it } from 'vitest';
import { RawArray, RawValue, SharedArray, Value } from '@mp/shared';
import { Lock, RLock } from '@mp/sync';

describe('Value', () => {
  it('defaults to zero and keeps its typecode', () => {
    expect(new Value('d').value).toBe(0);
    expect(new Value('q').value).toBe(0n);
    expect(new Value('c_int', 5).typecode).toBe('c_int');
  });

  it('reads and writes through the lock; the default lock is re-entrant', () => {
    const value = new Value('i', 1);
    const lock = value.getLock();
    expect(lock.acquireSync()).toBe(true);
    try {
      // Both accessors take the lock again: this would deadlock with a plain Lock.
      value.value += 41;
    } finally {
      lock.release();
    }
    expect(value.value).toBe(42);
    expect(value.getLock()).toBe(lock);
  });

  it('makes an RLock by default, one per value', () => {
    expect(new Value('i').getLock()).toBeInstanceOf(RLock);
    expect(new Value('i', 0, { lock: true }).getLock()).toBeInstanceOf(RLock);
    expect(new Value('i').getLock()).not.toBe(new Value('i').getLock());
    expect(new SharedArray('i', 1).getLock()).toBeInstanceOf(RLock);
  });

  it('uses a plain Lock it is given: each read and write takes it once', () => {
    const lock = new Lock();
    const value = new Value('d', 1.5, { lock });
    expect(value.getLock()).toBe(lock);
    value.value *= 2;
    expect(value.value).toBe(3);
    // Reads and writes release the lock they took.
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('uses a lock it is given, which several values may share', () => {
    const shared = new RLock();
    const a = new Value('i', 0, { lock: shared });
    const b = new SharedArray('d', 3, { lock: shared });
    expect(a.getLock()).toBe(shared);
    expect(b.getLock()).toBe(shared);
  });

  it('works without a lock', () => {
    const value = new Value('H', 7, { lock: false });
    value.value = 8;
    expect(value.value).toBe(8);
  });

  it('reads like Python', () => {
    expect(String(new Value('d', 0))).toBe('<Synchronized wrapper for c_double(0.0)>');
    expect(inspect(new Value('b', 200))).toBe('<Synchronized wrapper for c_byte(-56)>');
    expect(inspect(new Value('i', 3, { lock: false }))).toBe('c_int(3)');
    expect(inspect(RawValue('q', 5n))).toBe('c_longlong(5)');
    expect(inspect(new SharedArray('i', [0, 1, 2]))).toBe('<SynchronizedArray wrapper for c_int_Array_3 [0, 1, 2]>');
    expect(inspect(new SharedArray('d', 25, { lock: false }))).toMatch(/^c_double_Array_25 \[0\.0, (0\.0, ){19}…\]$/);
  });
});

describe('SharedArray', () => {
  const array = new SharedArray('i', [0, 1, 2, 3, 4]);

  it('has length, get, set, slice and iteration', () => {
    expect(array.length).toBe(5);
    array.set(-1, 40);
    expect(array.get(4)).toBe(40);
    expect(array.slice()).toEqual([0, 1, 2, 3, 40]);
    expect(array.slice(1, 3)).toEqual([1, 2]);
    expect(array.slice(-2)).toEqual([3, 40]);
    expect(array.slice(3, 100)).toEqual([3, 40]);
    expect(array.slice(4, 1)).toEqual([]);
    expect([...array]).toEqual([0, 1, 2, 3, 40]);
    array.set(4, 4);
  });

  it('exposes the live typed array as raw', () => {
    expect(array.raw).toBeInstanceOf(Int32Array);
    expect(array.raw).toBe(array.raw);
    array.raw[0] = 100;
    expect(array.get(0)).toBe(100);
    array.set(0, 0);
    expect(array.raw[0]).toBe(0);
    expect(new SharedArray('Q', 1).raw).toBeInstanceOf(BigUint64Array);
  });

  it('works without a lock', () => {
    const raw = new SharedArray('b', [1, 2], { lock: false });
    raw.set(0, 300);
    expect(raw.slice()).toEqual([44, 2]);
  });
});

describe('atomic helpers', () => {
  it('on a Value return the value before, as Atomics does', () => {
    const value = new Value('i', 10);
    expect(value.add(5)).toBe(10);
    expect(value.sub(3)).toBe(15);
    expect(value.load()).toBe(12);
    expect(value.exchange(1)).toBe(12);
    expect(value.compareExchange(0, 99)).toBe(1); // not equal: unchanged
    expect(value.value).toBe(1);
    expect(value.compareExchange(1, 99)).toBe(1); // equal: exchanged
    expect(value.value).toBe(99);
    value.store(0b1100);
    expect(value.and(0b0100)).toBe(0b1100);
    expect(value.or(0b0001)).toBe(0b0100);
    expect(value.xor(0b0101)).toBe(0b0101);
    expect(value.load()).toBe(0);
  });

  it('on 64-bit values take bigints (or integer numbers) and return bigints', () => {
    const value = new Value('q', 2n ** 62n);
    expect(value.add(2n ** 62n)).toBe(2n ** 62n);
    expect(value.load()).toBe(-(2n ** 63n)); // wrapped
    expect(value.exchange(5)).toBe(-(2n ** 63n));
    expect(value.compareExchange(5, 6n)).toBe(5n);
    expect(value.value).toBe(6n);
  });

  it('on a SharedArray work per element', () => {
    const array = new SharedArray('I', [1, 2, 3]);
    expect(array.add(1, 10)).toBe(2);
    expect(array.sub(-1, 4)).toBe(3);
    expect(array.load(2)).toBe(2 ** 32 - 1);
    expect(array.compareExchange(0, 1, 7)).toBe(1);
    expect(array.exchange(0, 8)).toBe(7);
    array.store(1, 0);
    expect(array.or(1, 6)).toBe(0);
    expect(array.and(1, 3)).toBe(6);
    expect(array.xor(1, 3)).toBe(2);
    expect(array.slice()).toEqual([8, 1, 2 ** 32 - 1]);
  });

  it('on a RawValue work the same', () => {
    const cell = RawValue('L');
    expect(cell.add(3)).toBe(0n);
    expect(cell.compareExchange(3n, 4n)).toBe(3n);
    expect(cell.value).toBe(4n);
  });
});

describe('RawArray', () => {
  it('is a plain typed array over shared memory that can travel by identity', () => {
    const array = RawArray('i', [1, 2, 3]);
    expect(array).toBeInstanceOf(Int32Array);
    expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(isShareable(array)).toBe(true);
    // The travel method is invisible to ordinary use.
    expect(Object.keys(array)).toEqual(['0', '1', '2']);
    expect(array).toEqual(Int32Array.of(1, 2, 3));
    expect(inspect(array)).toBe('Int32Array(3) [ 1, 2, 3 ]');
    expect(Array.from(array.map((x) => x * 2))).toEqual([2, 4, 6]);
  });

  it('allocates distinct memory for each array', () => {
    const a = RawArray('d', 2);
    const b = RawArray('d', 2);
    a[0] = 1;
    expect(b[0]).toBe(0);
    expect(a.byteOffset).not.toBe(b.byteOffset);
  });
});
