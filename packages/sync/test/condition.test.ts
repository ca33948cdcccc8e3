import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Condition, Lock, NotOwnerError, RLock, Semaphore } from '@mp/sync';
import { cleanup, exitCodes, since, spawn, until, words } from './helpers.ts';

afterEach(cleanup);

/** CPython's `check_invariant`: nobody left waiting, no wake-up left over. */
function checkInvariant(cond: Condition): void {
  expect(inspect(cond)).toMatch(/, 0\)>$/);
}

/** Takes `n` permits: the children say they are asleep (or woke) by releasing one each. */
async function take(sem: Semaphore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await sem.acquire(30_000)).toBe(true);
}

/** Notifies under the lock, as CPython's tests do. */
async function notify(cond: Condition, n?: number): Promise<void> {
  await cond.acquire();
  if (n === undefined) cond.notifyAll();
  else cond.notify(n);
  cond.release();
}

describe('Condition (CPython test_notify, test_notify_all, test_notify_n, test_timeout)', () => {
  it('notify() wakes one waiter at a time: a child and an async waiter in the main program', async () => {
    const cond = new Condition();
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    const child = spawn('condition', 'sleeper', [cond, sleeping, woken]);
    const main = (await import('./fixtures/condition.ts')).sleeperAsync(cond, sleeping, woken);
    await take(sleeping, 2);
    // No one has woken up.
    expect(await woken.acquire(20)).toBe(false);
    await notify(cond, 1);
    await take(woken, 1);
    expect(await woken.acquire(20)).toBe(false);
    await notify(cond, 1);
    await take(woken, 1);
    await main;
    expect(await exitCodes(child)).toEqual([0]);
    checkInvariant(cond);
  });

  it('notifyAll() wakes every waiter; waiters that timed out leave no trace', async () => {
    const { sleeperAsync } = await import('./fixtures/condition.ts');
    const cond = new Condition();
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    // Some that time out: a child and the main program.
    const timing = [spawn('condition', 'sleeper', [cond, sleeping, woken, 30])];
    const mainTiming = sleeperAsync(cond, sleeping, woken, 30);
    await take(sleeping, 2);
    await take(woken, 2);
    await mainTiming;
    expect(woken.getValue()).toBe(0);
    checkInvariant(cond);
    // Some that wait without limit: sync and async children, and the main program.
    const waiting = [spawn('condition', 'sleeper', [cond, sleeping, woken]), spawn('condition', 'sleeperAsync', [cond, sleeping, woken])];
    const mainWaiting = sleeperAsync(cond, sleeping, woken);
    await take(sleeping, 3);
    expect(await woken.acquire(20)).toBe(false);
    await notify(cond);
    await take(woken, 3);
    await mainWaiting;
    expect(await exitCodes(...timing, ...waiting)).toEqual([0, 0, 0]);
    checkInvariant(cond);
  });

  it('notify(n) wakes at most n', async () => {
    const { sleeperAsync } = await import('./fixtures/condition.ts');
    // Two async waiters in one thread: a Lock, since an RLock is owned per
    // thread, not per async task (both tasks would "own" it at once).
    const cond = new Condition(new Lock());
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    const children = [spawn('condition', 'sleeper', [cond, sleeping, woken]), spawn('condition', 'sleeperAsync', [cond, sleeping, woken])];
    const main = [sleeperAsync(cond, sleeping, woken), sleeperAsync(cond, sleeping, woken)];
    await take(sleeping, 4);
    expect(await woken.acquire(20)).toBe(false);
    await notify(cond, 2);
    await until(() => woken.getValue() === 2, 'two woke');
    // And no more than two.
    expect(await woken.acquire(20)).toBe(true);
    expect(await woken.acquire(20)).toBe(true);
    expect(await woken.acquire(20)).toBe(false);
    await notify(cond, 4);
    await until(() => woken.getValue() === 2, 'the other two woke');
    // Doesn't do anything more.
    await notify(cond, 3);
    expect(woken.getValue()).toBe(2);
    await Promise.all(main);
    expect(await exitCodes(...children)).toEqual([0, 0]);
    checkInvariant(cond);
  });

  it('times out: wait(timeout) returns false, not before the timeout', async () => {
    const cond = new Condition();
    cond.acquireSync();
    let t0 = performance.now();
    expect(cond.waitSync(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);
    t0 = performance.now();
    expect(await cond.wait(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);
    expect(cond.waitSync(0)).toBe(false);
    cond.release();
    checkInvariant(cond);
  });

  it('wait() returns true when notified (CPython test_wait_result)', async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(await cond.wait(0)).toBe(false);
    expect(await cond.wait(10)).toBe(false);
    const child = spawn('condition', 'notifyOnce', [cond]);
    expect(await cond.wait(30_000)).toBe(true);
    cond.release();
    expect(await exitCodes(child)).toEqual([0]);
  });

  it('does not let a later waiter take a wake-up meant for an earlier one', async () => {
    const cond = new Condition();
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    const child = spawn('condition', 'sleeper', [cond, sleeping, woken]);
    await take(sleeping, 1);
    await cond.acquire();
    cond.notify();
    // Still holding the lock, the main program starts waiting after the notify:
    // the wake-up belongs to the child.
    expect(await cond.wait(50)).toBe(false);
    cond.release();
    await take(woken, 1);
    expect(await exitCodes(child)).toEqual([0]);
    checkInvariant(cond);
  });
});

describe('Condition.waitFor (CPython test_waitfor, test_waitfor_timeout)', () => {
  it('waits for a predicate across threads', async () => {
    const cond = new Condition();
    const { region, view } = words(1);
    view[0] = -1;
    const child = spawn('condition', 'waitForFour', [cond, region]);
    await cond.acquire();
    expect(await cond.waitFor(() => Atomics.load(view, 0) === 0)).toBe(true);
    expect(view[0]).toBe(0);
    cond.release();
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      cond.acquireSync();
      Atomics.add(view, 0, 1);
      cond.notify();
      cond.release();
    }
    expect(await exitCodes(child)).toEqual([0]);
  });

  it('times out when the predicate never holds, not before the timeout', async () => {
    const cond = new Condition();
    const { region, view } = words(1);
    const out = words(1);
    const started = new Semaphore(0);
    const child = spawn('condition', 'waitForTimeout', [cond, region, out.region, started, 100]);
    expect(await started.acquire(30_000)).toBe(true);
    // Only increment 3 times, so state == 4 is never reached.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await cond.acquire();
      Atomics.add(view, 0, 1);
      cond.notify();
      cond.release();
    }
    expect(await exitCodes(child)).toEqual([0]);
    expect(out.view[0]).toBe(1);
    // In the main program, sync and async.
    cond.acquireSync();
    expect(cond.waitForSync(() => false, 20)).toBe(false);
    expect(await cond.waitFor(() => false, 20)).toBe(false);
    expect(cond.waitForSync(() => true)).toBe(true);
    cond.release();
  });
});

describe('Condition and its lock', () => {
  it('throws when wait or notify is called without holding the lock', async () => {
    const cond = new Condition();
    expect(() => cond.waitSync()).toThrow(NotOwnerError);
    expect(() => cond.waitSync()).toThrow(/^must acquire\(\) condition before using wait\(\)/);
    await expect(cond.wait()).rejects.toThrow(/must acquire\(\) condition before using wait\(\)/);
    await expect(cond.waitFor(() => false)).rejects.toThrow(NotOwnerError);
    expect(() => cond.notify()).toThrow(/^cannot notify on un-acquired lock/);
    expect(() => cond.notifyAll()).toThrow(NotOwnerError);
    expect(() => cond.release()).toThrow(NotOwnerError);
    expect(() => new Condition({} as never)).toThrow(TypeError);
    cond.acquireSync();
    expect(() => cond.notify(-1)).toThrow(RangeError);
    cond.release();
  });

  it('uses the lock it is given, and has the lock methods', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    expect(cond.tryAcquire()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    expect(inspect(cond)).toMatch(/^<Condition\(<Lock\(owner=.+\)>, 0\)>$/);
    cond.release();
    expect(await cond.acquire(0)).toBe(true);
    cond.release();
    {
      using _ = cond.holdSync();
      expect(lock.tryAcquire()).toBe(false);
    }
    {
      await using _ = await cond.hold();
      expect(lock.tryAcquire()).toBe(false);
    }
    expect(lock.tryAcquire()).toBe(true);
    {
      using _ = cond;
    }
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  it('wait releases every level of an RLock and restores them', async () => {
    const lock = new RLock();
    const cond = new Condition(lock);
    for (let i = 0; i < 3; i++) lock.acquireSync();
    // The child can only take the lock (to notify) if wait released all three levels.
    const child = spawn('condition', 'notifyOnce', [cond]);
    expect(await cond.wait(30_000)).toBe(true);
    expect(inspect(lock)).toMatch(/, 3\)>$/);
    for (let i = 0; i < 3; i++) lock.release();
    expect(() => lock.release()).toThrow(NotOwnerError);
    expect(await exitCodes(child)).toEqual([0]);
  });
});
