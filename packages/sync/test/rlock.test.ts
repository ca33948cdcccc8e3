import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { currentProcess } from '@mp/core';
import { Event, NotOwnerError, RLock } from '@mp/sync';
import { cleanup, exitCodes, spawn, words } from './helpers.ts';

afterEach(cleanup);

describe('RLock (CPython test_rlock)', () => {
  it('is re-entrant, and throws when released more often than acquired', () => {
    const lock = new RLock();
    expect(lock.acquireSync()).toBe(true);
    expect(lock.acquireSync()).toBe(true);
    expect(lock.tryAcquire()).toBe(true);
    expect(inspect(lock)).toBe(`<RLock(${currentProcess().name}, 3)>`);
    expect(lock.release()).toBeUndefined();
    expect(lock.release()).toBeUndefined();
    expect(lock.release()).toBeUndefined();
    expect(inspect(lock)).toBe('<RLock(None, 0)>');
    expect(() => lock.release()).toThrow(NotOwnerError);
    expect(() => lock.release()).toThrow(/^attempt to release recursive lock not owned by thread/);
  });

  it('works as a scope, one level per scope', async () => {
    const lock = new RLock();
    {
      using _a = lock.holdSync();
      await using _b = await lock.hold();
      expect(inspect(lock)).toContain(', 2)>');
    }
    expect(inspect(lock)).toBe('<RLock(None, 0)>');
  });
});

describe('RLock between threads', () => {
  it('refuses a release by a thread that does not own it', async () => {
    const lock = new RLock();
    const { region, view } = words(1);
    lock.acquireSync();
    expect(await exitCodes(spawn('hold', 'tryRelease', [lock, region]))).toEqual([0]);
    expect(view[0]).toBe(2);
    lock.release();
  });

  it('excludes other threads while held at any level, and admits them once fully released', async () => {
    const lock = new RLock();
    const { region, view } = words(1);
    lock.acquireSync();
    lock.acquireSync();
    expect(await exitCodes(spawn('hold', 'tryAcquireInto', [lock, region]))).toEqual([0]);
    expect(view[0]).toBe(2);
    lock.release();
    const child = spawn('hold', 'acquireInto', [lock, region, 0]);
    lock.release();
    expect(await exitCodes(child)).toEqual([0]);
    expect(view[0]).toBe(1);
  });

  it('excludes: a child and the main program incrementing under an RLock give the exact total', async () => {
    const lock = new RLock();
    const { region, view } = words(1);
    const child = spawn('counter', 'incrementSync', [lock, region, 5_000]);
    const { incrementAsync } = await import('./fixtures/counter.ts');
    await incrementAsync(lock, region, 5_000);
    expect(await exitCodes(child)).toEqual([0]);
    expect(view[0]).toBe(10_000);
  });

  it('shows another holder in its repr, and an async acquire waits for it', async () => {
    const lock = new RLock();
    const held = new Event();
    const go = new Event();
    const child = spawn('hold', 'holdUntil', [lock, held, go]);
    await held.wait();
    expect(inspect(lock)).toBe('<RLock(SomeOtherProcess, nonzero)>');
    expect(await lock.acquire(0)).toBe(false);
    const acquired = lock.acquire();
    go.set();
    expect(await acquired).toBe(true);
    lock.release();
    await exitCodes(child);
  });

  it('is recovered from an owner that exited while holding it', async () => {
    const lock = new RLock();
    const held = new Event();
    const owner = spawn('hold', 'acquireAndExit', [lock, held]);
    await held.wait();
    await exitCodes(owner);
    expect(await lock.acquire(10_000)).toBe(true);
    expect(inspect(lock)).toBe(`<RLock(${currentProcess().name}, 1)>`);
    lock.release();
    expect(inspect(lock)).toBe('<RLock(None, 0)>');
  });
});
