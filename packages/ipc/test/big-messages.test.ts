// Items of any size: larger than a part (1/16 of the arena), larger than the whole arena; waiting for space.
// The arena is made small for this file, before anything allocates it (each test file runs in its own process).
import { ARENA_BYTES, matches, pattern } from './fixtures/big-messages.ts';

process.env['MP_SHARED_MEMORY_BYTES'] = String(ARENA_BYTES);

import { allocateShared, freeShared, type StartMethod } from '@mp/core';
import { FullError, Pipe, Queue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { joinAll, start } from './helpers.ts';

/** Three times the arena: it can only travel in parts, read while it is sent. */
const HUGE = 3 * ARENA_BYTES;
/** Half the arena: one fits unread, two do not. */
const HALF = ARENA_BYTES / 2;

/** Polls `ready` until it holds (a hang guard, not an ordering: the test then acts on what it saw). */
async function until(ready: () => boolean): Promise<void> {
  const end = performance.now() + 30_000;
  while (!ready()) {
    if (performance.now() > end) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

it('runs with the small arena (the cases below depend on it)', () => {
  expect(() => allocateShared(ARENA_BYTES + 1)).toThrow(RangeError);
  freeShared(allocateShared(1024, { reclaim: false }));
});

describe.each(['thread', 'process'] as StartMethod[])('items larger than the arena (%s)', (method) => {
  it('a Pipe carries messages 3× the arena both ways, as bytes and as objects, exactly', async () => {
    const [here, there] = Pipe<unknown>();
    const child = start('big-messages', 'pipeEcho', [there, HUGE], method);
    there.close();
    here.sendBytes(pattern(HUGE, 1));
    here.send(pattern(HUGE, 2));
    expect(await here.recv()).toEqual([true, true]);
    const raw = await here.recvBytes();
    expect(matches(new Uint8Array(raw), HUGE, 3)).toBe(true);
    expect(matches(await here.recv(), HUGE, 4)).toBe(true);
    expect(await joinAll([child])).toEqual([0]);
    here.close();
  });

  it('a Queue carries items 3× the arena both ways, exactly', async () => {
    const input = new Queue<unknown>();
    const output = new Queue<unknown>();
    const child = start('big-messages', 'queueEcho', [input, output, HUGE], method);
    await input.put(pattern(HUGE, 1));
    expect(await output.get()).toBe(true);
    expect(matches(await output.get(), HUGE, 2)).toBe(true);
    expect(await joinAll([child])).toEqual([0]);
    expect(input.qsize() + output.qsize()).toBe(0);
  });

  it('a second big item waits for the first to be read; a timed put that gets no space throws FullError', async () => {
    const q = new Queue<unknown>();
    q.putSync(pattern(HALF, 1)); // fits: the put returns with the item unread
    expect(q.qsize()).toBe(1);
    // Not RangeError: no space can be made within the timeout, nobody reads.
    expect(() => q.putSync(pattern(HALF, 2), 100)).toThrow(FullError);
    await expect(q.put(pattern(HALF, 2), 100)).rejects.toThrow(FullError);
    expect(() => q.putNowait(pattern(HALF, 2))).toThrow(FullError);
    const second = q.put(pattern(HALF, 2)); // waits for space
    const results = new Queue<boolean[]>();
    const child = start('big-messages', 'takeInOrder', [q, results, 2, HALF], method);
    await second;
    expect(await results.get()).toEqual([true, true]);
    expect(await joinAll([child])).toEqual([0]);
    expect(q.qsize()).toBe(0);
  });

  it('a producer killed mid-item does not wedge the queue: the consumer drops the item and takes the next', async () => {
    const q = new Queue<unknown>();
    const producer = start('big-messages', 'putHuge', [q, HUGE], method);
    await until(() => q.qsize() === 1); // the item is published (its first part), the rest waits for a reader
    producer.kill();
    await producer.join();
    await q.put('after');
    expect(await q.get()).toBe('after');
    // Its parts came back: an item 3× the arena still goes through.
    const [, got] = await Promise.all([q.put(pattern(HUGE, 1)), q.get()]);
    expect(matches(got, HUGE, 1)).toBe(true);
    expect(q.qsize()).toBe(0);
  });

  it('several producers of big items among small ones: nothing lost or duplicated, FIFO per producer', async () => {
    const q = new Queue<unknown>();
    const results = new Queue<unknown>();
    const PRODUCERS = 3;
    const CONSUMERS = 2;
    const COUNT = 30;
    const EVERY = 10; // big items: 3 per producer, of 1.5 arenas each
    const SIZE = (3 * ARENA_BYTES) / 2;
    const children = [
      ...Array.from({ length: PRODUCERS }, (_, id) => start('big-messages', 'produceMixed', [q, id + 1, COUNT, EVERY, SIZE], method)),
      ...Array.from({ length: CONSUMERS }, () => start('big-messages', 'consumeMixed', [q, results, SIZE], method)),
    ];
    await joinAll(children.slice(0, PRODUCERS));
    for (let c = 0; c < CONSUMERS; c++) await q.put(null);
    const lists: [number, number, boolean][][] = [];
    for (let c = 0; c < CONSUMERS; c++) lists.push((await results.get()) as [number, number, boolean][]);
    expect(await joinAll(children)).toEqual(Array(PRODUCERS + CONSUMERS).fill(0));
    const seen = lists.flat();
    expect(seen.filter(([, , intact]) => !intact)).toEqual([]);
    const ids = seen.map(([id, i]) => `${id}:${i}`).sort();
    const expected = Array.from({ length: PRODUCERS }, (_, id) => Array.from({ length: COUNT }, (_, i) => `${id + 1}:${i}`)).flat().sort();
    expect(ids).toEqual(expected);
    // FIFO per producer: each consumer took each producer's items in the order they were put.
    for (const list of lists) {
      for (let id = 1; id <= PRODUCERS; id++) {
        const order = list.filter(([from]) => from === id).map(([, i]) => i);
        expect(order).toEqual([...order].sort((x, y) => x - y));
      }
    }
    expect(q.qsize()).toBe(0);
  });
});
