// A queue's or a pipe's shared memory comes back once nobody holds it, with whatever is still inside.
import { describe, expect, it } from 'vitest';
import { allocateShared } from '@mp/core';
import { arenaUsage, sweep } from '@mp/core/internal';
import { Pipe, Queue } from '@mp/ipc';
import { joinAll, start } from './helpers.ts';

/** Arena bytes in use once garbage is collected and its finalizers have run. */
async function settled(): Promise<number> {
  allocateShared(1); // the arena and this isolate's bookkeeping exist before the first figure
  for (let i = 0; i < 3; i++) {
    sweep();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return arenaUsage().inUse;
}

describe('memory of queues and pipes', () => {
  it('a dropped queue frees its segments, its items, and the shared objects inside them', async () => {
    const before = await settled();
    await (async () => {
      const queue = new Queue<{ region: ReturnType<typeof allocateShared>; payload: Uint8Array }>();
      for (let i = 0; i < 8; i++) await queue.put({ region: allocateShared(64 * 1024), payload: new Uint8Array(16 * 1024) });
      expect(arenaUsage().inUse - before).toBeGreaterThan(8 * 64 * 1024);
    })();
    expect(await settled()).toBe(before);
  });

  it('a dropped pipe frees its memory and the messages nobody read', async () => {
    const before = await settled();
    (() => {
      const [a, b] = Pipe();
      a.send({ region: allocateShared(64 * 1024) });
      b.send(new Uint8Array(100_000));
    })();
    expect(await settled()).toBe(before);
  });
});

describe.each(['thread', 'process'] as const)('memory of a queue shared with a %s child', (method) => {
  it('comes back once the child exited and the parent dropped the queue', async () => {
    const before = await settled();
    await (async () => {
      const queue = new Queue<number | null>();
      const report = new Queue<Int32Array>();
      const p = start('consume', 'collect', [queue, report], method);
      for (let i = 0; i < 100; i++) await queue.put(i);
      await queue.put(null);
      expect([...(await report.get(30_000))]).toHaveLength(100);
      expect(await joinAll([p])).toEqual([0]);
    })();
    expect(await settled()).toBe(before);
  });
});
