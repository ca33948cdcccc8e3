import { afterEach, describe, expect, it } from 'vitest';
import { futexWait, futexWaitAsync, futexWake } from '@mp/native';
import { blockedInFutex, canSeeSyscalls, cleanup, segment, spawn, until } from './helpers.ts';

afterEach(cleanup);

describe('futexWait', () => {
  it("returns 'not-equal' at once when the word differs", () => {
    const { view } = segment();
    view[0] = 1;
    expect(futexWait(view, 0, 0)).toBe('not-equal');
    expect(futexWait(view, 0, 0, 10_000)).toBe('not-equal');
  });

  it('never times out early', () => {
    const { view } = segment();
    for (const timeout of [1, 2.5, 10, 33.3]) {
      const t0 = performance.now();
      expect(futexWait(view, 0, 0, timeout)).toBe('timed-out');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(timeout);
    }
  });

  it("does not wait for a timeout of 0 or less, and compares the value as an int32", () => {
    const { view } = segment();
    expect(futexWait(view, 0, 0, 0)).toBe('timed-out');
    expect(futexWait(view, 0, 0, -5)).toBe('timed-out');
    expect(futexWait(view, 0, 1, 0)).toBe('not-equal');
    view[0] = -1;
    expect(futexWait(view, 0, 0xffff_ffff, 0)).toBe('timed-out');
  });

  it('keeps waiting through signals, and never returns early because of them', async () => {
    const { name, view } = segment();
    const child = spawn('wait-through-signals', [name, '300']);
    await until(() => Atomics.load(view, 1) !== 0, 'the child waits');
    let sent = 0;
    while (Atomics.load(view, 1) !== 0) {
      child.process.kill('SIGUSR2');
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const report = await child.message<{ result: string; elapsed: number; signals: number }>();
    expect(sent).toBeGreaterThan(0);
    expect(report.result).toBe('timed-out');
    expect(report.elapsed).toBeGreaterThanOrEqual(300);
    expect(report.signals).toBeGreaterThan(0);
  });

  it('validates its arguments', () => {
    const { view } = segment(4);
    expect(() => futexWait(new Int32Array(4), 0, 0, 0)).toThrow(TypeError);
    expect(() => futexWait(new Uint32Array(view.buffer) as unknown as Int32Array, 0, 0, 0)).toThrow(TypeError);
    expect(() => futexWait(view, 4, 0, 0)).toThrow(RangeError);
    expect(() => futexWait(view, -1, 0, 0)).toThrow(RangeError);
    expect(() => futexWait(view, 0.5, 0, 0)).toThrow(RangeError);
    expect(() => futexWait(view, '0' as unknown as number, 0, 0)).toThrow(TypeError);
    expect(() => futexWait(view, 0, '0' as unknown as number, 0)).toThrow(TypeError);
    expect(() => futexWait(view, 0, 0, Number.NaN)).toThrow(TypeError);
    expect(() => futexWaitAsync(view, 4, 0)).toThrow(RangeError);
    expect(() => futexWake(view, 0, -1)).toThrow(RangeError);
    expect(() => futexWake(view, 0, 1.5)).toThrow(RangeError);
    expect(() => futexWake(view, 0, '1' as unknown as number)).toThrow(TypeError);
  });

  it.skipIf(!canSeeSyscalls)('works on a view with an offset: the word is the one the index names', async () => {
    const { name, view } = segment(16);
    const shifted = new Int32Array(view.buffer, 8 * 4, 4); // Words 8..11.
    const child = spawn('waiter', [name, '9', 'sync']);
    await until(() => blockedInFutex(child.process.pid as number), 'the child sleeps in futex');
    expect(futexWake(view, 8)).toBe(0); // Another word: nobody to wake.
    Atomics.store(shifted, 1, 1);
    expect(futexWake(shifted, 1)).toBe(1);
    expect(await child.message()).toBe('ok');
  });
});

describe('futexWaitAsync', () => {
  it("settles with 'not-equal' or 'timed-out' at once when there is nothing to wait for", async () => {
    const { view } = segment();
    view[0] = 1;
    await expect(futexWaitAsync(view, 0, 0)).resolves.toBe('not-equal');
    await expect(futexWaitAsync(view, 0, 1, 0)).resolves.toBe('timed-out');
  });

  it('never times out early', async () => {
    const { view } = segment();
    for (const timeout of [1, 2.5, 10, 33.3]) {
      const t0 = performance.now();
      await expect(futexWaitAsync(view, 0, 0, timeout)).resolves.toBe('timed-out');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(timeout);
    }
  });

  it('is woken by futexWake from this thread', async () => {
    const { view } = segment();
    const pending = futexWaitAsync(view, 0, 0);
    // The waiter thread may not be asleep yet: then it sees the new value instead.
    Atomics.store(view, 0, 1);
    futexWake(view, 0);
    expect(['ok', 'not-equal']).toContain(await pending);
  });

  it('keeps the event loop alive while pending, and lets the process exit afterwards', async () => {
    const { name } = segment();
    const child = spawn('keep-alive', [name, '200']);
    expect(await child.message()).toBe('timed-out');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it("does not occupy libuv's thread pool", async () => {
    const { name } = segment();
    const child = spawn('thread-pool-free', [name], { env: { UV_THREADPOOL_SIZE: '2' } });
    expect(await child.message()).toBe('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });
});

describe('futexWake', () => {
  it('returns 0 when nobody waits', () => {
    const { view } = segment();
    expect(futexWake(view, 0)).toBe(0);
    expect(futexWake(view, 0, 0)).toBe(0);
  });

  it.skipIf(!canSeeSyscalls)('wakes exactly `count` waiters in other processes, and says how many', async () => {
    const { name, view } = segment();
    const children = [0, 1, 2].map(() => spawn('waiter', [name, '0', 'sync']));
    // Every child sleeps in FUTEX_WAIT_BITSET on a shared futex: only our wait does that.
    await until(() => children.every((child) => blockedInFutex(child.process.pid as number)), 'all three sleep');
    expect(futexWake(view, 0, 0)).toBe(0);
    expect(futexWake(view, 0, 2)).toBe(2);
    expect(futexWake(view, 0, 5)).toBe(1);
    expect(futexWake(view, 0)).toBe(0);
    expect(await Promise.all(children.map((child) => child.message()))).toEqual(['ok', 'ok', 'ok']);
  });

  it('wakes asynchronous waiters in another process', async () => {
    const { name, view } = segment();
    const children = [0, 1].map(() => spawn('waiter', [name, '0', 'async']));
    await until(() => Atomics.load(view, 15) === 2, 'both children started waiting');
    let woken = 0;
    // The waits are handed to waiter threads: wake until both were asleep and woken
    // (the word stays 0, so a late thread still goes to sleep and gets the next wake).
    await until(() => (woken += futexWake(view, 0, 1)) === 2, 'both were woken');
    expect(await Promise.all(children.map((child) => child.message()))).toEqual(['ok', 'ok']);
  });
});
