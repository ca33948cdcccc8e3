import { move } from '@mp/pool';
import { describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const sumBytes = fx('move', 'sumBytes');
const sumRecord = fx('move', 'sumRecord');
const makeBytes = fx('move', 'makeBytes');
const makeBytesAsync = fx('move', 'makeBytesAsync');
const lastReturnedLength = fx('move', 'lastReturnedLength');

/** `n` bytes counting 0, 1, 2… (mod 256) and their sum. */
function bytes(n: number): [Uint8Array, number] {
  const view = new Uint8Array(n).map((_, i) => i % 256);
  return [view, view.reduce((a, b) => a + b, 0)];
}

describe.each(['thread', 'process'] as const)('move(): zero-copy buffers (%s)', (method) => {
  const transfers = method === 'thread';

  it('an argument: the worker gets the bytes; the caller\'s buffer is detached under thread, intact under process', async () => {
    const pool = makePool({ processes: 1, context: method });
    const [view, sum] = bytes(1 << 16);
    const result = pool.applyAsync(sumBytes, [move(view)]);
    // Detached as soon as the call returns, not when the task is sent.
    expect(view.byteLength).toBe(transfers ? 0 : 1 << 16);
    expect(view.buffer.byteLength).toBe(transfers ? 0 : 1 << 16);
    expect(await result).toEqual([1 << 16, sum]);

    const raw = new Uint8Array([1, 2, 3]).buffer;
    expect(await pool.apply(sumBytes, [move(raw)])).toEqual([3, 6]);
    expect(raw.byteLength).toBe(transfers ? 0 : 3);
  });

  it('a value with a transfer list moves the listed buffers and clones the rest', async () => {
    const pool = makePool({ processes: 1, context: method });
    const data = new Float64Array([1.5, 2.5, 3]);
    const record = { label: 'total', data };
    expect(await pool.apply(sumRecord, [move(record, [data.buffer])])).toBe('total:7');
    expect(data.length).toBe(transfers ? 0 : 3);
    expect(record.label).toBe('total');
  });

  it('a result: the parent receives the bytes; under thread the worker\'s own buffer is detached (transferred, not copied)', async () => {
    const pool = makePool({ processes: 1, context: method });
    const received = await pool.apply<Uint8Array>(makeBytes, [1024, 7]);
    expect(received).toBeInstanceOf(Uint8Array);
    expect(received.byteLength).toBe(1024);
    expect(received.every((byte: number) => byte === 7)).toBe(true);
    expect(await pool.apply(lastReturnedLength)).toBe(transfers ? 0 : 1024);

    const resolved = await pool.apply<Uint8Array>(makeBytesAsync, [16, 3]);
    expect([...resolved]).toEqual(new Array(16).fill(3));
    expect(await pool.apply(lastReturnedLength)).toBe(transfers ? 0 : 16);
  });

  it('map items, starmap arguments and map results are honoured too', async () => {
    const pool = makePool({ processes: 2, context: method });
    const [a, sumA] = bytes(300);
    const [b, sumB] = bytes(500);
    expect(await pool.map(sumBytes, [move(a), move(b)], 1)).toEqual([[300, sumA], [500, sumB]]);
    expect([a.byteLength, b.byteLength]).toEqual(transfers ? [0, 0] : [300, 500]);

    const [c, sumC] = bytes(40);
    expect(await pool.starmap(sumBytes, [[move(c)]])).toEqual([[40, sumC]]);
    expect(c.byteLength).toBe(transfers ? 0 : 40);

    const made = await pool.starmap<Uint8Array>(makeBytes, [[8, 1], [8, 2], [8, 3]], 2);
    expect(made.map((view: Uint8Array) => [view.byteLength, view[0]])).toEqual([[8, 1], [8, 2], [8, 3]]);
  });

  it('bad input is a TypeError at the call, and nothing is detached by a refused call', async () => {
    const pool = makePool({ processes: 1, context: method });
    const shared = new SharedArrayBuffer(8);
    expect(() => move(shared)).toThrow(TypeError);
    expect(() => move(shared)).toThrow(/SharedArrayBuffer.*without move\(\)/);
    expect(() => move(new Int32Array(shared))).toThrow(/SharedArrayBuffer/);
    expect(() => move(42)).toThrow(/Expected the value of move\(\) to be an ArrayBuffer.*got `42`/);
    expect(() => move({ a: 1 }, [{} as ArrayBuffer])).toThrow(/transferList\[0\]/);
    expect(() => move({ a: 1 }, [])).toThrow(TypeError);
    const twice = new Uint8Array(4);
    expect(() => move({ twice }, [twice.buffer, twice.buffer])).toThrow(/same ArrayBuffer twice/);

    // The same buffer in two arguments of one call: refused synchronously, the buffer left intact.
    const dup = new Uint8Array(4).fill(1);
    expect(() => pool.applyAsync(sumBytes, [move(dup), move(new Uint8Array(dup.buffer, 2))])).toThrow(/moved twice in one call/);
    expect((await rejection(pool.apply(sumBytes, [move(dup), move(dup)]))).name).toBe('TypeError');
    expect(dup.byteLength).toBe(4);

    // A buffer already transferred away.
    const gone = new Uint8Array(4);
    structuredClone(gone, { transfer: [gone.buffer] });
    expect(() => move(gone)).toThrow(/already transferred/);
    const moved = new Uint8Array(4);
    const mark = move(moved);
    if (transfers) {
      await pool.apply(sumBytes, [mark]);
      expect(() => pool.applyAsync(sumBytes, [mark])).toThrow(/already transferred/);
    }
    // A moved map item already transferred fails that map.
    const item = new Uint8Array(2);
    const itemMark = move(item);
    structuredClone(item, { transfer: [item.buffer] });
    const error = await rejection(pool.map(sumBytes, [itemMark]));
    expect(error.name).toBe('TypeError');
    expect(error.message).toMatch(/items\[0\]: its ArrayBuffer was already transferred/);
  });
});
