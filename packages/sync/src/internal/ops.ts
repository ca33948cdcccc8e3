import { waitAsync, waitSync, type WaitResult } from '@mp/core';

/**
 * One algorithm, two drivers.
 *
 * Every blocking algorithm of this package is written once, as a generator
 * that yields a {@link WaitStep} each time it must sleep on a shared word.
 * {@link runSync} answers each step with `Atomics.wait` (blocking the thread),
 * {@link runAsync} with `Atomics.waitAsync` (a promise that keeps the event loop
 * alive). So the `xSync()` and `x()` forms of a primitive cannot drift apart:
 * they run the same code, and differ only in how they sleep.
 *
 * The generators re-check their condition after every step: a step is only a
 * hint ("something may have changed"), never a proof.
 */

/** Sleep while `view[index] === value`, at most `timeout` ms (`Infinity`: no limit). */
export interface WaitStep {
  readonly view: Int32Array;
  readonly index: number;
  readonly value: number;
  readonly timeout: number;
}

/** A blocking algorithm: yields the waits it needs, returns its result. */
export type Op<T> = Generator<WaitStep, T, WaitResult>;

/** Runs `op` on this thread, blocking it while `op` sleeps. */
export function runSync<T>(op: Op<T>): T {
  let step = op.next();
  while (!step.done) {
    const { view, index, value, timeout } = step.value;
    step = op.next(waitSync(view, index, value, timeout));
  }
  return step.value;
}

/** Runs `op` without blocking: each sleep is an `Atomics.waitAsync` that holds the event loop open. */
export async function runAsync<T>(op: Op<T>): Promise<T> {
  let step = op.next();
  while (!step.done) {
    const { view, index, value, timeout } = step.value;
    step = op.next(await waitAsync(view, index, value, timeout));
  }
  return step.value;
}

/** A {@link WaitStep}. */
export function sleep(view: Int32Array, index: number, value: number, timeout: number): WaitStep {
  return { view, index, value, timeout };
}
