import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedSemaphore, Event, OverReleaseError, Semaphore } from '@mp/sync';
import { cleanup, exitCodes, since, spawn, until, words, wordsOf } from './helpers.ts';

afterEach(cleanup);

/** CPython's `_test_semaphore`, on a semaphore holding 2. */
function checkSemaphore(sem: Semaphore): void {
  expect(sem.getValue()).toBe(2);
  expect(sem.acquireSync()).toBe(true);
  expect(sem.getValue()).toBe(1);
  expect(sem.acquireSync()).toBe(true);
  expect(sem.getValue()).toBe(0);
  expect(sem.tryAcquire()).toBe(false);
  expect(sem.getValue()).toBe(0);
  expect(sem.release()).toBeUndefined();
  expect(sem.getValue()).toBe(1);
  expect(sem.release()).toBeUndefined();
  expect(sem.getValue()).toBe(2);
}

describe('Semaphore (CPython test_semaphore, test_bounded_semaphore, test_timeout)', () => {
  it('counts permits, and may be released above its initial value', () => {
    const sem = new Semaphore(2);
    checkSemaphore(sem);
    sem.release();
    expect(sem.getValue()).toBe(3);
    sem.release();
    expect(sem.getValue()).toBe(4);
    sem.release(3);
    expect(inspect(sem)).toBe('<Semaphore(value=7)>');
    expect(new Semaphore().getValue()).toBe(1);
  });

  it('BoundedSemaphore refuses a release above its initial value', () => {
    const sem = new BoundedSemaphore(2);
    checkSemaphore(sem);
    expect(sem).toBeInstanceOf(Semaphore);
    expect(() => sem.release()).toThrow(OverReleaseError);
    expect(() => sem.release()).toThrow(/^semaphore or lock released too many times/);
    expect(sem.getValue()).toBe(2);
    sem.acquireSync();
    expect(() => sem.release(2)).toThrow(OverReleaseError);
    expect(inspect(sem)).toBe('<BoundedSemaphore(value=1, maxvalue=2)>');
  });

  it('times out: never before the timeout; 0, negative and tryAcquire do not wait', async () => {
    const sem = new Semaphore(0);
    expect(sem.tryAcquire()).toBe(false);
    expect(sem.acquireSync(0)).toBe(false);
    expect(sem.acquireSync(-1)).toBe(false);
    let t0 = performance.now();
    expect(sem.acquireSync(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);
    t0 = performance.now();
    expect(await sem.acquire(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);
    expect(sem.getValue()).toBe(0);
  });

  it('rejects bad arguments', () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow(/semaphore initial value must be >= 0/);
    expect(() => new BoundedSemaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore('2' as never)).toThrow(TypeError);
    const sem = new Semaphore(0);
    expect(() => sem.release(0)).toThrow(/n must be one or more/);
    expect(() => sem.release('1' as never)).toThrow(TypeError);
    expect(() => new Semaphore(0x7fff_ffff).release()).toThrow(RangeError);
  });

  it('works as a scope', async () => {
    const sem = new Semaphore(1);
    {
      using _ = sem.holdSync();
      expect(sem.getValue()).toBe(0);
    }
    {
      await using _ = await sem.hold();
      expect(sem.getValue()).toBe(0);
    }
    expect(sem.getValue()).toBe(1);
  });
});

describe('Semaphore between threads', () => {
  it('admits three holders at a time with Semaphore(3)', async () => {
    const sem = new Semaphore(3);
    const go = new Event();
    const helds = [new Event(), new Event(), new Event()];
    const children = helds.map((held) => spawn('hold', 'holdUntil', [sem, held, go]));
    for (const held of helds) expect(await held.wait()).toBe(true);
    expect(sem.getValue()).toBe(0);
    expect(sem.tryAcquire()).toBe(false);
    const acquired = sem.acquire();
    go.set();
    expect(await acquired).toBe(true);
    expect(await exitCodes(...children)).toEqual([0, 0, 0]);
    expect(sem.getValue()).toBe(2);
  });

  it('release(n) wakes n waiting children, and each takes one permit', async () => {
    const sem = new Semaphore(0);
    const { region, view } = words(3);
    const children = [0, 1, 2].map((i) => spawn('hold', 'acquireKeepInto', [sem, region, i, 30_000]));
    // All three asleep on the semaphore (its waiter count, word 1).
    const semWords = wordsOf(sem);
    await until(() => Atomics.load(semWords, 1) === 3, 'three children wait');
    const acquired = () => [...view].filter((v) => v === 1).length;
    sem.release(2);
    await until(() => acquired() === 2, 'two children acquired');
    expect(sem.getValue()).toBe(0);
    expect(Atomics.load(semWords, 1)).toBe(1);
    sem.release();
    expect(await exitCodes(...children)).toEqual([0, 0, 0]);
    expect([...view]).toEqual([1, 1, 1]);
    expect(sem.getValue()).toBe(0);
  });

  it('excludes with BoundedSemaphore(1): a child and the main program incrementing give the exact total', async () => {
    const sem = new BoundedSemaphore(1);
    const { region, view } = words(1);
    const child = spawn('counter', 'incrementUsing', [sem, region, 5_000]);
    const { incrementAsync } = await import('./fixtures/counter.ts');
    await incrementAsync(sem, region, 5_000);
    expect(await exitCodes(child)).toEqual([0]);
    expect(view[0]).toBe(10_000);
  });
});
