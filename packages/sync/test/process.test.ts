// The primitives between OS processes ('process' start method, shared memory
// through @mp/core's segment and futex waits), mixed with thread children and
// the main program.
import { afterEach, describe, expect, it } from 'vitest';
import { Barrier, Condition, Event, Lock, Semaphore } from '@mp/sync';
import { cleanup, exitCodes, spawn, until, words, wordsOf } from './helpers.ts';

afterEach(cleanup);

describe("primitives between processes ('process' start method)", () => {
  it('Lock excludes: 4 process children × 10,000 increments give the exact total', async () => {
    const lock = new Lock();
    const { region, view } = words(1);
    const children = Array.from({ length: 4 }, () => spawn('counter', 'incrementSync', [lock, region, 10_000], 'process'));
    expect(await exitCodes(...children)).toEqual([0, 0, 0, 0]);
    expect(view[0]).toBe(40_000);
  });

  it('Event and Condition wake a process child, a thread child and the main program', async () => {
    const event = new Event();
    const { region, view } = words(2);
    const waiters = [spawn('event', 'waitInto', [event, region, 0], 'process'), spawn('event', 'waitAsyncInto', [event, region, 1], 'thread')];
    const main = event.wait();
    await until(() => Atomics.load(wordsOf(event), 1) === 3, 'three waiters');
    event.set();
    expect(await main).toBe(true);
    expect(await exitCodes(...waiters)).toEqual([0, 0]);
    expect([...view]).toEqual([1, 1]);

    const cond = new Condition();
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    const sleeper = spawn('condition', 'sleeper', [cond, sleeping, woken], 'process');
    expect(await sleeping.acquire(30_000)).toBe(true);
    expect(await woken.acquire(20)).toBe(false);
    await cond.acquire();
    cond.notify();
    cond.release();
    expect(await woken.acquire(30_000)).toBe(true);
    expect(await exitCodes(sleeper)).toEqual([0]);
  });

  it('Barrier passes with a process child, a thread child and the main program', async () => {
    const passes = 4;
    const barrier = new Barrier(3);
    const { region, view } = words(2);
    const indexes = words(2 * passes * 3);
    const args = [barrier, region, passes, indexes.region];
    const children = [spawn('barrier', 'multipass', args, 'process'), spawn('barrier', 'multipassAsync', args, 'thread')];
    const { multipassAsync } = await import('./fixtures/barrier.ts');
    await multipassAsync(barrier, region, passes, indexes.region);
    expect(await exitCodes(...children)).toEqual([0, 0]);
    expect([...view]).toEqual([passes * 3, passes * 3]);
    expect([...indexes.view]).toEqual(new Array(2 * passes * 3).fill(1));
  });

  it('Lock is recovered from a process child killed while holding it', async () => {
    const lock = new Lock();
    const held = new Event();
    const go = new Event();
    const owner = spawn('hold', 'holdUntil', [lock, held, go], 'process');
    expect(await held.wait(30_000)).toBe(true);
    owner.kill();
    expect(await exitCodes(owner)).toEqual([-9]);
    expect(await lock.acquire(10_000)).toBe(true);
    lock.release();
  });
});
