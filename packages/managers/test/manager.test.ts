import { describe, expect, it } from 'vitest';
import { ref, type StartMethod } from '@mp/core';
import { EmptyError, FullError } from '@mp/ipc';
import { Pool } from '@mp/pool';
import { BrokenBarrierError, NotOwnerError, OverReleaseError } from '@mp/sync';
import { Manager, ManagerStateError, RemoteError, SyncManager } from '@mp/managers';
import { start } from './helpers.ts';

describe.each(['thread', 'process'] as StartMethod[])('Manager (%s)', (context) => {
  it('serves a counter that 4 children increment under a manager Lock: the count is exact', async () => {
    await using manager = await Manager({ context });
    const d = await manager.dict<string, number>();
    const lock = await manager.Lock();
    const children = [0, 1, 2, 3].map(() => start('incrementUnderLock', [d, lock, 'count', 25], context));
    await Promise.all(children.map((child) => child.join()));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0]);
    expect(await d.get('count')).toBe(100);
  });

  it('passes proxies to pool tasks', async () => {
    await using manager = await Manager({ context });
    const list = await manager.list<number>();
    await using pool = new Pool({ processes: 2, context });
    const results = await pool.starmap(ref(new URL('./fixtures/workers.ts', import.meta.url), 'appendTo'), [[list, 1], [list, 2], [list, 3], [list, 4]]);
    expect(results).toEqual([1, 2, 3, 4]);
    expect((await list.toArray()).sort()).toEqual([1, 2, 3, 4]);
  });

  it('carries a Queue proxy across children: every item arrives once', async () => {
    await using manager = await Manager({ context });
    const q = await manager.Queue<number>();
    const children = [0, 100].map((from) => start('produce', [q, from, 10], context));
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(await q.get(30_000));
    await Promise.all(children.map((child) => child.join()));
    expect(got.sort((a, b) => a - b)).toEqual([...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 100 + i)]);
    await expect(q.get(10)).rejects.toBeInstanceOf(EmptyError);
  });

  it('brings errors raised in the manager with their name, message and stack', async () => {
    await using manager = await Manager({ context });
    const list = await manager.list([1]);
    const error = (await list.get(5).catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('ERR_MP_REMOTE');
    expect(error.remoteName).toBe('IndexError');
    expect(error.remoteMessage).toMatch(/out of range/);
    expect(error.remoteStack).toMatch(/ListReferent/);
    expect(error.stack).toMatch(/in the manager process/);
    const bounded = await manager.Queue(1);
    await bounded.put('a');
    await expect(bounded.putNowait('b')).rejects.toBeInstanceOf(FullError);
    const lock = await manager.Lock();
    const over = (await lock.release().catch((e: unknown) => e)) as OverReleaseError;
    expect(over).toBeInstanceOf(OverReleaseError);
    expect(over.cause).toBeInstanceOf(RemoteError);
  });

  it('implements the dict, list and Namespace method sets', async () => {
    await using manager = await Manager({ context });
    const d = await manager.dict<string, number>({ a: 1 });
    await d.update([['b', 2]]);
    expect(await d.setdefault('c', 3)).toBe(3);
    expect(await d.keys()).toEqual(['a', 'b', 'c']);
    expect(await d.pop('a')).toBe(1);
    expect(await d.pop('zz', 0)).toBe(0);
    await expect(d.pop('zz')).rejects.toMatchObject({ remoteName: 'KeyError' });
    expect(await d.has('b')).toBe(true);
    expect(await d.delete('b')).toBe(true);
    expect(await d.copy()).toEqual(new Map([['c', 3]]));
    const l = await manager.list([3, 1, 2, 1]);
    expect(await l.count(1)).toBe(2);
    expect(await l.index(2)).toBe(2);
    await l.remove(1);
    await l.insert(0, 9);
    await l.sort({ reverse: true });
    expect(await l.toArray()).toEqual([9, 3, 2, 1]);
    expect(await l.pop()).toBe(1);
    expect(await l.get(-1)).toBe(2);
    expect(await l.slice(1)).toEqual([3, 2]);
    const ns = await manager.Namespace<{ x: number; y: string }>({ x: 1 });
    await ns.set('y', 'why');
    expect(await ns.get('x')).toBe(1);
    expect(await ns.toObject()).toEqual({ x: 1, y: 'why' });
    await expect(ns.get('nope' as 'x')).rejects.toMatchObject({ remoteName: 'AttributeError' });
    const v = await manager.Value('d', 1.5);
    await v.set(2.5);
    expect(await v.get()).toBe(2.5);
    const a = await manager.Array('i', [1, 2, 3]);
    await a.set(0, 7);
    expect(await a.toArray()).toEqual([7, 2, 3]);
    await expect(a.set(1, 2 ** 40)).rejects.toMatchObject({ remoteName: 'RangeError' });
  });

  it('serves locks, semaphores, events, conditions and barriers', async () => {
    await using manager = await Manager({ context });
    const rlock = await manager.RLock();
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire()).toBe(true);
    await rlock.release();
    await rlock.release();
    await expect(rlock.release()).rejects.toBeInstanceOf(NotOwnerError);
    const sem = await manager.BoundedSemaphore(1);
    expect(await sem.acquire(0)).toBe(true);
    expect(await sem.acquire(0)).toBe(false);
    await sem.release();
    await expect(sem.release()).rejects.toBeInstanceOf(OverReleaseError);
    const event = await manager.Event();
    expect(await event.wait(10)).toBe(false);
    const waiting = event.wait();
    await event.set();
    expect(await waiting).toBe(true);
    const cond = await manager.Condition(await manager.Lock());
    await cond.acquire();
    expect(await cond.wait(10)).toBe(false);
    await cond.release();
    await expect(cond.notify()).rejects.toBeInstanceOf(NotOwnerError);
    const barrier = await manager.Barrier(2);
    await expect(barrier.wait(10)).rejects.toBeInstanceOf(BrokenBarrierError);
    await barrier.reset();
    const [i, j] = await Promise.all([barrier.wait(), barrier.wait()]);
    expect([i, j].sort()).toEqual([0, 1]);
    const q = await manager.JoinableQueue<number>();
    await q.put(1);
    await q.get();
    await q.taskDone();
    await q.join();
    {
      await using _held = await (await manager.Lock()).hold();
    }
  });

  it('refuses use before start and after shutdown with clear errors', async () => {
    const idle = new SyncManager({ context });
    await expect(idle.dict()).rejects.toThrow(/has not been started/);
    const manager = await Manager({ context });
    const d = await manager.dict();
    await expect(manager.start()).rejects.toBeInstanceOf(ManagerStateError);
    await manager.shutdown();
    expect(manager.process?.exitCode).not.toBeNull();
    const error = await d.get('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManagerStateError);
    expect((error as Error).message).toMatch(/has shut down/);
    await expect(manager.dict()).rejects.toThrow(/has shut down/);
    await manager.shutdown();
  });
});
