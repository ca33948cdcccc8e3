import { DataCloneError, allocateShared } from '@mp/core';
import { ClosedError, EmptyError, FullError, JoinableQueue, Pipe, Queue, SimpleQueue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { elapsed, joinAll, start } from './helpers.ts';

describe('Queue in one thread', () => {
  it('delivers items in order and counts them (CPython test_qsize)', () => {
    const q = new Queue<number>();
    expect(q.qsize()).toBe(0);
    q.putSync(1);
    expect(q.qsize()).toBe(1);
    q.putSync(5);
    expect(q.qsize()).toBe(2);
    expect(q.getSync()).toBe(1);
    expect(q.qsize()).toBe(1);
    expect(q.getSync()).toBe(5);
    expect(q.qsize()).toBe(0);
    expect(q.empty()).toBe(true);
  });

  it('round-trips what structured clone round-trips', async () => {
    const q = new Queue<unknown>();
    const values: unknown[] = [
      0, -0, 1.5, NaN, Infinity, -(2 ** 40), 2n ** 70n, '', 'hello', 'héllo wörld ✓ 🎉', '\ud800 lone surrogate',
      'x'.repeat(10_000), true, false, null, undefined, [1, [2, [3]]], { a: 1, b: { c: 'd' } },
      new Map([[1, 'one']]), new Set(['s']), new Date(0), /re/g, new Uint8Array([1, 2, 3]), new Uint8Array(0),
      Buffer.from('buffer'), new Float64Array([1.5, -2]), new Int32Array(5000), new Error('boom'),
    ];
    for (const value of values) await q.put(value);
    for (const value of values) {
      const got = await q.get();
      if (value instanceof Error) {
        expect(got).toBeInstanceOf(Error);
        expect((got as Error).message).toBe('boom');
      } else {
        expect(got).toEqual(value);
        if (typeof value === 'object' && value !== null) expect(Object.getPrototypeOf(got)).toBe(Object.getPrototypeOf(value));
      }
    }
    expect(Object.is(-0, (q.putSync(-0), q.getSync()))).toBe(true);
    const surrogate = '\udfff';
    q.putSync(surrogate);
    expect((q.getSync() as string).charCodeAt(0)).toBe(0xdfff);
  });

  it('copies items at put: later changes to a buffer do not reach the queue, even when the put waits', async () => {
    const q = new Queue<Uint8Array>(1);
    const buf = new Uint8Array([1, 2, 3]);
    q.putSync(buf);
    buf[0] = 9;
    const buffer = Buffer.from([4, 5, 6]);
    const pending = q.put(buffer);
    buffer[0] = 9;
    expect([...q.getSync()]).toEqual([1, 2, 3]);
    await pending;
    expect([...q.getSync()]).toEqual([4, 5, 6]);
  });

  it('rejects what cannot be cloned, naming it, and stays usable', async () => {
    const q = new Queue<unknown>();
    expect(() => q.putSync({ callback: () => 1 })).toThrow(DataCloneError);
    expect(() => q.putSync({ callback: () => 1 })).toThrow(/item\.callback/);
    await expect(q.put(Symbol('s'))).rejects.toThrow(DataCloneError);
    expect(() => q.putSync(new SharedArrayBuffer(8))).toThrow(DataCloneError);
    expect(q.qsize()).toBe(0);
    q.putSync('fine');
    expect(q.getSync()).toBe('fine');
  });

  it('validates maxsize and timeouts', () => {
    expect(() => new Queue(1.5)).toThrow(TypeError);
    expect(() => new Queue('3' as never)).toThrow(/maxsize/);
    expect(() => new Queue(2 ** 31)).toThrow(RangeError);
    expect(new Queue(-1).full()).toBe(false); // Python: maxsize <= 0 means no limit
    const q = new Queue();
    expect(() => q.getSync('1' as never)).toThrow(TypeError);
    expect(() => q.getSync(NaN)).toThrow(/timeout/);
  });

  it('bounded: put blocks when full, FullError after the timeout, never earlier (CPython test_put)', async () => {
    const q = new Queue<number>(6);
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
    await q.put(1);
    await q.put(2, undefined);
    q.putSync(3);
    q.putSync(4, 0);
    q.putNowait(5);
    q.putNowait(6);
    expect(q.empty()).toBe(false);
    expect(q.full()).toBe(true);
    expect(q.qsize()).toBe(6);
    expect(() => q.putNowait(7)).toThrow(FullError);
    expect(() => q.putSync(7, 0)).toThrow(FullError);
    expect(() => q.putSync(7, -5)).toThrow(FullError);
    let error: unknown;
    const waitedSync = await elapsed(() => {
      try {
        q.putSync(7, 100);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(FullError);
    expect((error as FullError).code).toBe('ERR_MP_QUEUE_FULL');
    expect(waitedSync).toBeGreaterThanOrEqual(100);
    const waitedAsync = await elapsed(() => expect(q.put(7, 150)).rejects.toThrow(FullError));
    expect(waitedAsync).toBeGreaterThanOrEqual(150);
    for (let i = 1; i <= 6; i++) expect(q.getSync()).toBe(i);
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
  });

  it('get: EmptyError at once without waiting, after the timeout with one, never earlier (CPython test_get, test_timeout)', async () => {
    const q = new Queue<number>();
    expect(() => q.getNowait()).toThrow(EmptyError);
    expect(() => q.getSync(0)).toThrow(EmptyError);
    await expect(q.get(0)).rejects.toThrow(EmptyError);
    for (const timeout of [1, 30, 200]) {
      let error: unknown;
      const waited = await elapsed(() => {
        try {
          q.getSync(timeout);
        } catch (e) {
          error = e;
        }
      });
      expect(error).toBeInstanceOf(EmptyError);
      expect(waited).toBeGreaterThanOrEqual(timeout);
      const waitedAsync = await elapsed(() => expect(q.get(timeout)).rejects.toMatchObject({ name: 'EmptyError', code: 'ERR_MP_QUEUE_EMPTY' }));
      expect(waitedAsync).toBeGreaterThanOrEqual(timeout);
    }
  });

  it('a waiting get receives an item put later in the same thread', async () => {
    const q = new Queue<string>();
    const pending = q.get();
    await new Promise((resolve) => setImmediate(resolve));
    await q.put('late');
    await expect(pending).resolves.toBe('late');
  });

  it('a waiting put on a full queue completes when a get makes room', async () => {
    const q = new Queue<number>(1);
    q.putSync(1);
    const pending = q.put(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(q.getSync()).toBe(1);
    await pending;
    expect(q.getSync()).toBe(2);
  });

  it('close: later puts and gets on that object throw; other objects of the queue keep working (CPython test_closed_queue_put_get_exceptions)', async () => {
    for (const q of [new Queue<string>(), new JoinableQueue<string>()]) {
      q.putSync('kept');
      q.close();
      q.close();
      expect(() => q.putSync('foo')).toThrow(ClosedError);
      expect(() => q.putSync('foo')).toThrow(/is closed/);
      await expect(q.put('foo')).rejects.toThrow(ClosedError);
      expect(() => q.getSync()).toThrow(/is closed/);
      await expect(q.get()).rejects.toMatchObject({ code: 'ERR_MP_CLOSED' });
      expect(q.qsize()).toBe(1);
    }
  });

  it('close wakes a get waiting on the same object with ClosedError', async () => {
    const q = new Queue();
    const pending = q.get();
    await new Promise((resolve) => setImmediate(resolve));
    q.close();
    await expect(pending).rejects.toThrow(ClosedError);
  });

  it('async iteration yields items until the object is closed', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 5; i++) q.putSync(i);
    const seen: number[] = [];
    for await (const item of q) {
      seen.push(item);
      if (item === 4) q.close();
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds many items and items much larger than its segments', () => {
    const q = new Queue<unknown>();
    for (let i = 0; i < 100_000; i++) q.putSync(i);
    const big = 'é'.repeat(3_000_000);
    q.putSync(big);
    q.putSync(new Uint8Array(200_000).fill(7));
    expect(q.qsize()).toBe(100_002);
    const got: unknown[] = [];
    for (let i = 0; i < 100_000; i++) got.push(q.getSync());
    expect(got).toEqual(Array.from({ length: 100_000 }, (_, i) => i));
    expect(q.getSync()).toBe(big);
    expect((q.getSync() as Uint8Array).every((b) => b === 7)).toBe(true);
    expect(q.empty()).toBe(true);
  });

  it('reads like Python’s repr', () => {
    const q = new Queue(3);
    q.putSync(1);
    expect(String(q)).toBe('<Queue maxsize=3 qsize=1>');
  });

  it('queue inside a list or an object item (CPython test_nested_queue)', () => {
    const outer = new Queue<Queue<number>[]>();
    outer.putSync([new Queue<number>()]);
    const [inner] = outer.getSync();
    inner!.putSync(123);
    expect(inner!.getSync()).toBe(123);
  });

  it('a typed array over shared memory travels by identity, not as a copy', () => {
    const q = new Queue<Uint8Array>();
    const region = allocateShared(8);
    q.putSync(region.bytes());
    const got = q.getSync();
    got[0] = 42;
    expect(region.bytes()[0]).toBe(42);
  });

  it('a SharedRegion inside an item is the same memory (this thread)', () => {
    const q = new Queue<{ region: ReturnType<typeof allocateShared> }>();
    const region = allocateShared(8);
    q.putSync({ region });
    const got = q.getSync().region;
    got.int32()[0] = 7;
    expect(region.int32()[0]).toBe(7);
  });
});

describe.each(['thread', 'process'] as const)('Queue between the parent and %s children', (method) => {
  it('items put by a child arrive in order; qsize counts them (CPython test_get, test_fork)', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 10; i++) q.putSync(i);
    const child = start('produce', 'putNumbers', [q, 20], method);
    await child.join();
    expect(child.exitCode).toBe(0);
    expect(q.qsize()).toBe(30);
    for (let i = 0; i < 10; i++) expect(await q.get()).toBe(i);
    for (let i = 0; i < 20; i++) expect(q.getSync()).toBe(i);
    expect(() => q.getNowait()).toThrow(EmptyError);
  });

  it('a child sees what the parent put (CPython Manager test_queue)', async () => {
    const q = new Queue<number>(2);
    q.putSync(5);
    q.putSync(6);
    const out = new Queue<unknown>();
    const child = start('consume', 'forward', [q, out, 2], method);
    expect(await out.get()).toBe(5);
    expect(await out.get()).toBe(6);
    await child.join();
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
  });

  it('shared objects travel inside items by identity', async () => {
    const inbox = new Queue<{ value: number; reply: Queue<number> } | null>();
    const child = start('nested', 'replyOnQueueInItem', [inbox], method);
    const replies = [new Queue<number>(), new Queue<number>()];
    await inbox.put({ value: 21, reply: replies[0]! });
    await inbox.put({ value: 50, reply: replies[1]! });
    expect(await replies[0]!.get()).toBe(42);
    expect(await replies[1]!.get()).toBe(100);
    await inbox.put(null);
    expect(await joinAll([child])).toEqual([0]);
  });

  it('a connection travels inside a queue item', async () => {
    const inbox = new Queue<unknown>();
    const [mine, theirs] = Pipe<string>();
    const child = start('nested', 'useConnectionFromQueue', [inbox], method);
    await inbox.put(theirs);
    theirs.close();
    expect(await mine.recv()).toBe('hello from child');
    await expect(mine.recv()).rejects.toThrow(/EOF/);
    expect(await joinAll([child])).toEqual([0]);
  });

  it('SimpleQueue and JoinableQueue travel as themselves', async () => {
    const simple = new SimpleQueue<boolean>();
    const go = new Queue<unknown>();
    const done = new Queue<unknown>();
    const child = start('consume', 'reportEmpty', [simple, go, done], method);
    expect(simple.empty()).toBe(true);
    await go.put('go');
    await done.get();
    expect(simple.empty()).toBe(false);
    expect(await simple.get()).toBe(true);
    expect(simple.getSync()).toBe(false);
    expect(simple.empty()).toBe(true);
    expect(await joinAll([child])).toEqual([0]);
  });
});
