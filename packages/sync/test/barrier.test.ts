import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from '@mp/core';
import { Barrier, BrokenBarrierError, Lock } from '@mp/sync';
import { cleanup, exitCodes, spawn, until, words } from './helpers.ts';

afterEach(cleanup);

/** Parties per barrier (CPython uses 5; 3 keeps the suite quick on 2 cores). */
const N = 3;
const fixture = new URL('./fixtures/barrier.ts', import.meta.url);

function run(name: string, args: unknown[], count = N) {
  return Array.from({ length: count }, () => spawn('barrier', name, args));
}

describe('Barrier (CPython test_barrier, test_wait_return, test_single_thread, test_thousand)', () => {
  it('passes several times, all parties released together, each index given once per pass', async () => {
    const passes = 4;
    const barrier = new Barrier(N);
    const { region, view } = words(2);
    const indexes = words(2 * passes * N);
    expect(await exitCodes(...run('multipass', [barrier, region, passes, indexes.region]))).toEqual([0, 0, 0]);
    expect([...view]).toEqual([passes * N, passes * N]);
    expect([...indexes.view]).toEqual(new Array(2 * passes * N).fill(1));
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
  });

  it('passes with the main program taking part through the async form', async () => {
    const passes = 4;
    const barrier = new Barrier(N);
    const { region, view } = words(2);
    const indexes = words(2 * passes * N);
    const args = [barrier, region, passes, indexes.region];
    const children = [spawn('barrier', 'multipass', args), spawn('barrier', 'multipassAsync', args)];
    const { multipassAsync } = await import('./fixtures/barrier.ts');
    await multipassAsync(barrier, region, passes, indexes.region);
    expect(await exitCodes(...children)).toEqual([0, 0]);
    expect([...view]).toEqual([passes * N, passes * N]);
    expect([...indexes.view]).toEqual(new Array(2 * passes * N).fill(1));
  });

  it('lets a single party through at once, every time', async () => {
    const barrier = new Barrier(1);
    expect(barrier.waitSync()).toBe(0);
    expect(barrier.waitSync()).toBe(0);
    expect(await barrier.wait()).toBe(0);
    expect(barrier.parties).toBe(1);
  });

  it('keeps passes apart over many passes', async () => {
    const passes = 100;
    const barrier = new Barrier(N);
    const lock = new Lock();
    const { region, view } = words(1 + passes * N);
    expect(await exitCodes(...run('thousandParty', [barrier, passes, lock, region]))).toEqual([0, 0, 0]);
    const log = [...view.subarray(1)];
    expect(view[0]).toBe(passes * N);
    expect(log).toEqual(log.map((_, i) => Math.floor(i / N)));
  });

  it('rejects bad arguments and reads like Python', () => {
    expect(() => new Barrier(0)).toThrow(/parties must be >= 1/);
    expect(() => new Barrier(1.5)).toThrow(RangeError);
    expect(() => new Barrier('2' as never)).toThrow(TypeError);
    expect(() => new Barrier(2, { timeout: 'x' as never })).toThrow(TypeError);
    expect(() => new Barrier(2, { action: 42 as never })).toThrow(/`action`/);
    const barrier = new Barrier(3);
    expect(inspect(barrier)).toBe('<Barrier(waiters=0/3)>');
    barrier.abort();
    expect(inspect(barrier)).toBe('<Barrier(broken)>');
  });
});

describe('Barrier action (CPython test_action)', () => {
  it('runs a ref() action once per pass, in the party that trips it (sync and async waits)', async () => {
    const passes = 3;
    const barrier = new Barrier(N, { action: ref(fixture, 'countAction') });
    const { region, view } = words(1);
    const children = [
      spawn('barrier', 'actionParty', [barrier, region, passes]),
      spawn('barrier', 'actionParty', [barrier, region, passes]),
      spawn('barrier', 'actionPartyAsync', [barrier, region, passes]),
    ];
    expect(await exitCodes(...children)).toEqual([0, 0, 0]);
    expect(view[0]).toBe(2 * passes);
  });

  it('resolves an exported function of the calling module, as a Process target is', async () => {
    const { makeCountingBarrier } = await import('./fixtures/barrier-maker.ts');
    const barrier = makeCountingBarrier(2);
    const { region, view } = words(1);
    // The children's own module is fixtures/barrier.ts: the action's module is
    // imported on arrival, which the async wait awaits.
    expect(await exitCodes(...run('actionPartyAsync', [barrier, region, 2], 2))).toEqual([0, 0]);
    expect(view[0]).toBe(4);
  });

  it('breaks when the action throws: the tripping party gets the error, the others BrokenBarrierError', async () => {
    const barrier = new Barrier(2, { action: ref(fixture, 'failingAction') });
    const { region, view } = words(2);
    expect(await exitCodes(...run('failingActionParty', [barrier, region], 2))).toEqual([0, 0]);
    expect([...view]).toEqual([1, 1]);
    expect(barrier.broken).toBe(true);
  });

  it('reports an action that is not exported as the tripping party’s error, and breaks', async () => {
    const barrier = new Barrier(2, { action: ref(fixture, 'noSuchExport') });
    const { region, view } = words(4);
    expect(await exitCodes(...run('waitSyncOutcome', [barrier, region], 2))).toEqual([0, 0]);
    expect([...view]).toEqual([0, 1, 0, 1]);
    expect(barrier.broken).toBe(true);
  });

  it('says so when waitSync() trips the barrier before the action’s module could be loaded', async () => {
    // The module has top-level await, so require() cannot load it, and each
    // child calls waitSync() before its import of the module can finish.
    const barrier = new Barrier(2, { action: ref(new URL('./fixtures/barrier-tla.ts', import.meta.url), 'tlaAction') });
    const { region, view } = words(4);
    expect(await exitCodes(...run('waitSyncOutcome', [barrier, region], 2))).toEqual([0, 0]);
    expect([...view]).toEqual([0, 1, 1, 0]);
  });
});

describe('Barrier abort, reset and timeout', () => {
  it('CPython test_abort, test_reset, test_abort_and_reset, test_timeout, test_default_timeout', async () => {
    const scenario = () => ({ barrier: new Barrier(N), ...words(3) });
    const abort = scenario();
    const reset = scenario();
    const abortAndReset = { ...scenario(), barrier2: new Barrier(N) };
    const timeout = scenario();
    const defaultTimeout = { barrier: new Barrier(N, { timeout: 100 }), ...words(1) };
    const args = [
      N,
      [abort.barrier, abort.region],
      [reset.barrier, reset.region],
      [abortAndReset.barrier, abortAndReset.barrier2, abortAndReset.region],
      [timeout.barrier, timeout.region],
      [defaultTimeout.barrier, defaultTimeout.region],
    ];
    expect(await exitCodes(...run('brokenScenarios', args))).toEqual([0, 0, 0]);
    // abort(): nobody passed the second wait, the others got BrokenBarrierError; it stays broken.
    expect([...abort.view.subarray(0, 2)]).toEqual([0, N - 1]);
    expect(abort.barrier.broken).toBe(true);
    await expect(abort.barrier.wait()).rejects.toThrow(BrokenBarrierError);
    expect(() => abort.barrier.waitSync()).toThrow(BrokenBarrierError);
    // reset(): the waiting parties broke, then all passed again.
    expect([...reset.view]).toEqual([0, N - 1, N]);
    expect([...abortAndReset.view]).toEqual([0, N - 1, N]);
    // A late party: every party gets BrokenBarrierError, with a timeout given or by default.
    expect(timeout.view[0]).toBe(N);
    expect(defaultTimeout.view[0]).toBe(N);
  });

  it('a lone party times out in the main program, sync and async, and the barrier breaks', async () => {
    const barrier = new Barrier(2);
    expect(() => barrier.waitSync(20)).toThrow(/timed out after 20 ms/);
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    await expect(barrier.wait(20)).rejects.toThrow(BrokenBarrierError);
    barrier.reset();
    // A party waiting while the barrier is reset gets BrokenBarrierError.
    const waiting = barrier.wait();
    await until(() => barrier.nWaiting === 1, 'one party waits');
    barrier.reset();
    await expect(waiting).rejects.toThrow(BrokenBarrierError);
    expect(barrier.broken).toBe(false);
  });
});
