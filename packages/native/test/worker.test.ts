import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { futexWaitAsync, futexWake } from '@mp/native';
import { cleanup, segment, spawn, threadsNamed, until } from './helpers.ts';

afterEach(cleanup);

/** Main thread's side of worker-ping-pong.mjs: role 0, asynchronous waits. */
async function play(words: Int32Array, rounds: number): Promise<number> {
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    const mine = 2 * round;
    for (;;) {
      const value = Atomics.load(words, 0);
      if (value === mine) break;
      if (value > mine) errors++;
      await futexWaitAsync(words, 0, value);
    }
    Atomics.store(words, 0, mine + 1);
    futexWake(words, 0, 1);
  }
  return errors;
}

describe('worker threads', () => {
  it.each([
    ['the SharedArrayBuffer posted to it', true],
    ['its own mapping of the segment', false],
  ])('load the addon and play ping-pong with the main thread over %s', async (_, post) => {
    const { name, view } = segment();
    const rounds = 2_000;
    const worker = new Worker(new URL('./fixtures/worker-ping-pong.mjs', import.meta.url), {
      workerData: post ? { buffer: view.buffer, rounds } : { name, rounds },
    });
    const done = new Promise((resolve) => worker.once('message', resolve));
    expect(await play(view, rounds)).toBe(0);
    expect(await done).toEqual({ errors: 0 });
    expect(Atomics.load(view, 0)).toBe(2 * rounds);
    await worker.terminate();
  });

  it.each(['terminate', 'exit'])('stop their waiter threads when they end (%s) with waits pending', async (how) => {
    const { name } = segment();
    const child = spawn('worker-teardown', [name]);
    expect(await child.message()).toBe('waiting');
    const pid = child.process.pid as number;
    await until(() => threadsNamed(pid, 'mp-futex-wait').length === 4, 'the worker has 4 waiter threads');
    child.process.send(how);
    expect(await child.message()).toEqual({ code: how === 'terminate' ? 1 : 0 });
    // The worker's teardown joined its threads before the worker was reported gone.
    expect(threadsNamed(pid, 'mp-futex-wait')).toEqual([]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });
});
