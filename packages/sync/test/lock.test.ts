import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, currentProcess } from '@mp/core';
import { Event, Lock, OverReleaseError } from '@mp/sync';
import { cleanup, exitCodes, since, spawn, words } from './helpers.ts';

afterEach(cleanup);

describe('Lock (CPython test_lock)', () => {
  it('acquires, refuses a second acquire, releases, and throws on release when unlocked', () => {
    const lock = new Lock();
    expect(lock.acquireSync()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    expect(lock.acquireSync(0)).toBe(false);
    expect(lock.release()).toBeUndefined();
    expect(() => lock.release()).toThrow(OverReleaseError);
    expect(() => lock.release()).toThrow(/^semaphore or lock released too many times/);
    try {
      lock.release();
    } catch (error) {
      expect((error as OverReleaseError).code).toBe('ERR_MP_OVER_RELEASE');
      expect((error as Error).name).toBe('OverReleaseError');
    }
  });

  it('works as a scope: holdSync with using, hold with await using, and the lock itself', async () => {
    const lock = new Lock();
    {
      using _ = lock.holdSync();
      expect(lock.tryAcquire()).toBe(false);
    }
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
    {
      await using _ = await lock.hold();
      expect(lock.tryAcquire()).toBe(false);
    }
    expect(lock.tryAcquire()).toBe(true);
    {
      using _ = lock; // acquired just above
    }
    expect(lock.tryAcquire()).toBe(true);
    // Disposing a Held twice releases once.
    lock.release();
    const held = lock.holdSync();
    held[Symbol.dispose]();
    held[Symbol.dispose]();
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('times out: never before the timeout, false (or TimeoutError for hold), no wait for 0 or negative', async () => {
    const lock = new Lock();
    lock.acquireSync();
    let t0 = performance.now();
    expect(lock.acquireSync(30)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(30);
    t0 = performance.now();
    expect(await lock.acquire(30)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(30);
    expect(lock.acquireSync(-5)).toBe(false);
    expect(await lock.acquire(0)).toBe(false);
    expect(() => lock.holdSync(10)).toThrow(TimeoutError);
    await expect(lock.hold(10)).rejects.toThrow(TimeoutError);
    lock.release();
  });

  it('rejects a timeout that is not a number', async () => {
    const lock = new Lock();
    expect(() => lock.acquireSync('1' as never)).toThrow(TypeError);
    await expect(lock.acquire(Number.NaN)).rejects.toThrow(/`timeout`/);
  });

  it('reads like Python', () => {
    const lock = new Lock();
    expect(inspect(lock)).toBe('<Lock(owner=None)>');
    lock.acquireSync();
    expect(inspect(lock)).toBe(`<Lock(owner=${currentProcess().name})>`);
    lock.release();
  });
});

describe('Lock between threads', () => {
  it('excludes: 4 children × 10,000 increments under the lock give the exact total', async () => {
    const lock = new Lock();
    const { region, view } = words(1);
    const children = Array.from({ length: 4 }, () => spawn('counter', 'incrementSync', [lock, region, 10_000]));
    expect(await exitCodes(...children)).toEqual([0, 0, 0, 0]);
    expect(view[0]).toBe(40_000);
  });

  it('excludes with the async and scoped forms, the main program taking part', async () => {
    const lock = new Lock();
    const { region, view } = words(1);
    const children = [
      spawn('counter', 'incrementAsync', [lock, region, 3_000]),
      spawn('counter', 'incrementUsing', [lock, region, 3_000]),
    ];
    const counter = region.int32();
    for (let i = 0; i < 3_000; i++) {
      await lock.acquire();
      const value = counter[0]!;
      // Yield to the event loop while holding the lock: other async work runs, the lock stays held.
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      counter[0] = value + 1;
      lock.release();
    }
    expect(await exitCodes(...children)).toEqual([0, 0]);
    expect(view[0]).toBe(9_000);
  });

  it('blocks while a child holds it; an async acquire resolves once the child releases', async () => {
    const lock = new Lock();
    const held = new Event();
    const go = new Event();
    const child = spawn('hold', 'holdUntil', [lock, held, go]);
    expect(await held.wait()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    expect(inspect(lock)).toBe('<Lock(owner=SomeOtherProcess)>');
    const acquired = lock.acquire();
    go.set();
    expect(await acquired).toBe(true);
    lock.release();
    expect(await exitCodes(child)).toEqual([0]);
  });

  it('does not block the event loop while an async acquire waits', async () => {
    const lock = new Lock();
    const held = new Event();
    const go = new Event();
    const child = spawn('hold', 'holdUntil', [lock, held, go]);
    await held.wait();
    let acquired = false;
    const pending = lock.acquire().then((ok) => (acquired = ok));
    // Timers keep firing while the acquire is pending; only then is the lock released.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        expect(acquired).toBe(false);
        if (++ticks === 5) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    go.set();
    await pending;
    expect(acquired).toBe(true);
    lock.release();
    await exitCodes(child);
  });

  it('may be released by another thread than the one that acquired it (as in Python)', async () => {
    const lock = new Lock();
    lock.acquireSync();
    expect(await exitCodes(spawn('hold', 'releaseOnly', [lock]))).toEqual([0]);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('wakes a child blocked in acquireSync when the main program releases', async () => {
    const lock = new Lock();
    const { region, view } = words(1);
    lock.acquireSync();
    const child = spawn('hold', 'acquireInto', [lock, region, 0]);
    // Give the child time to block (the outcome does not depend on it).
    await new Promise((resolve) => setTimeout(resolve, 20));
    lock.release();
    expect(await exitCodes(child)).toEqual([0]);
    expect(view[0]).toBe(1);
  });

  it('is recovered from an owner that exited while holding it (async and sync waiters)', async () => {
    for (const form of ['async', 'sync'] as const) {
      const lock = new Lock();
      const held = new Event();
      const owner = spawn('hold', 'acquireAndExit', [lock, held]);
      await held.wait();
      await exitCodes(owner);
      if (form === 'async') {
        expect(await lock.acquire(10_000)).toBe(true);
      } else {
        const { region, view } = words(1);
        expect(await exitCodes(spawn('hold', 'acquireInto', [lock, region, 0, 10_000]))).toEqual([0]);
        expect(view[0]).toBe(1);
        expect(lock.tryAcquire()).toBe(true);
      }
      lock.release();
    }
  });
});
