import { describe, expect, it } from 'vitest';
import {
  allocateShared,
  defineShared,
  freeShared,
  isIsolateAlive,
  isolateToken,
  Process,
  ref,
  regionAt,
  share,
  waitAsync,
  waitSync,
  type Shareable,
  type SharedRegion,
  type SharedState,
} from '@mp/core';
import { decode, decodeSync, encode } from '@mp/core/internal';
import { isSupported } from '@mp/native';

const memory = new URL('./fixtures/memory.ts', import.meta.url);

describe('shared memory', () => {
  it('allocates zero-filled, aligned, distinct regions', () => {
    const a = allocateShared(10);
    const b = allocateShared(10);
    expect(a.byteLength).toBe(10);
    expect(a.byteOffset % 16).toBe(0);
    expect(a.byteOffset).not.toBe(b.byteOffset);
    expect([...a.bytes()]).toEqual(new Array(10).fill(0));
    expect(() => allocateShared(0)).toThrow(RangeError);
    expect(() => allocateShared(1.5)).toThrow(/positive integer/);
  });

  it('reuses a freed region, zero-filled again', () => {
    const a = allocateShared(64, { reclaim: false });
    a.bytes().fill(5);
    freeShared(a);
    const b = allocateShared(64, { reclaim: false });
    expect(b.byteOffset).toBe(a.byteOffset);
    expect([...b.bytes()].every((x) => x === 0)).toBe(true);
    expect(regionAt(b.byteOffset, 64).bytes().buffer).toBe(b.buffer);
    freeShared(b);
  });

  it.each(['thread', 'process'] as const)('is the same memory in a %s child: 4 children × 10,000 atomic increments', async (context) => {
    const words = allocateShared(4).int32();
    const children = Array.from({ length: 4 }, () => new Process({ target: ref(memory, 'increment'), args: [words, 10_000], context }));
    for (const child of children) child.start();
    await Promise.all(children.map((child) => child.join()));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0]);
    expect(Atomics.load(words, 0)).toBe(40_000);
  });

  it.each(['thread', 'process'] as const)('keeps identity for views and regions nested in arrays and maps (%s)', async (context) => {
    const region = allocateShared(8);
    const view = allocateShared(4).int32();
    const child = new Process({ target: ref(memory, 'checkNested'), args: [{ list: [view], map: new Map([['r', region]]) }], context });
    child.start();
    await child.join();
    expect(child.exitCode).toBe(0);
    expect(Atomics.load(view, 0)).toBe(7);
    expect(Atomics.load(region.int32(), 0)).toBe(9);
  });

  it.each(['thread', 'process'] as const)('gives each isolate its own token and marks a %s child dead when it exits', async (context) => {
    const region = allocateShared(8);
    const words = region.int32();
    const child = new Process({ target: ref(memory, 'reportToken'), args: [region], context });
    child.start();
    while (Atomics.load(words, 0) === 0) await waitAsync(words, 0, 0, 10_000);
    const token = Atomics.load(words, 1);
    expect(token).toBeGreaterThan(0);
    expect(token).not.toBe(isolateToken());
    await child.join();
    expect(isIsolateAlive(token)).toBe(false);
    expect(isIsolateAlive(isolateToken())).toBe(true);
  });

  it('uses a cross-process segment on Linux with @mp/native built', () => {
    expect(isSupported()).toBe(process.platform === 'linux');
  });

  it('times out waits without returning early', async () => {
    const words = allocateShared(4).int32();
    let t = performance.now();
    expect(waitSync(words, 0, 0, 30)).toBe('timed-out');
    expect(performance.now() - t).toBeGreaterThanOrEqual(29);
    expect(waitSync(words, 0, 1, 30)).toBe('not-equal');
    t = performance.now();
    expect(await waitAsync(words, 0, 0, 30)).toBe('timed-out');
    expect(performance.now() - t).toBeGreaterThanOrEqual(29);
    expect(await waitAsync(words, 0, 0, -5)).toBe('timed-out');
    expect(() => waitSync(words, 0, 0, Number.NaN)).toThrow(TypeError);
  });
});

class Tag implements Shareable {
  static {
    defineShared<{ region: SharedRegion; label: string }>('@mp/core.test.Tag', (s) => new Tag(s.region, s.label));
  }
  readonly region: SharedRegion;
  readonly label: string;
  constructor(region: SharedRegion, label: string) {
    this.region = region;
    this.label = label;
  }
  [share](): SharedState {
    return { type: '@mp/core.test.Tag', module: import.meta.url, state: { region: this.region, label: this.label } };
  }
}

describe('the shared-object protocol', () => {
  const context = { crossProcess: false, startMethod: 'thread' as const };

  it('leaves plain data alone and marks nothing', () => {
    const value = { a: [1, 2], m: new Map([[1, 'x']]) };
    const encoded = encode(value, context);
    expect(encoded).toEqual({ value, shared: false });
    expect(encoded.value).toBe(value);
  });

  it('revives nested shareables, keeping aliasing and cycles', async () => {
    const tag = new Tag(allocateShared(4), 'hello');
    const cyclic: Record<string, unknown> = { tags: [tag, tag], set: new Set([tag]) };
    cyclic['self'] = cyclic;
    const encoded = encode(cyclic, context);
    expect(encoded.shared).not.toBe(false);
    // Each message is decoded once: a second decode gets a message of its own.
    const again = encode(cyclic, context);
    for (const revived of [(await decode(structuredClone(encoded))) as typeof cyclic, decodeSync(structuredClone(again)) as typeof cyclic]) {
      const [a, b] = revived['tags'] as Tag[];
      expect(a).toBeInstanceOf(Tag);
      expect(a).toBe(b);
      expect(a!.label).toBe('hello');
      expect(a!.region.byteOffset).toBe(tag.region.byteOffset);
      expect([...(revived['set'] as Set<Tag>)][0]).toBe(a);
      expect(revived['self']).toBe(revived);
    }
  });

  it('names the path of what cannot be cloned', () => {
    expect(() => encode({ a: [{ fn: () => 1 }] }, context, 'args')).toThrow(/args\.a\[0\]\.fn cannot be sent/);
    expect(() => encode([Symbol('s')], context, 'item')).toThrow(/item\[0\].*symbol/);
    expect(() => encode({ p: Promise.resolve() }, context)).toThrow(/value\.p.*Promise/);
  });
});

describe('region lifetime', () => {
  it('keeps a block alive while a view made from it is alive', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const view = allocateShared(64).int32();
    Atomics.store(view, 0, 123);
    // Allocate and drop many regions of the same size class; with a GC available, force one.
    for (let i = 0; i < 1000; i++) allocateShared(64);
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const others = Array.from({ length: 100 }, () => allocateShared(64, { reclaim: false }));
    expect(others.every((r) => r.byteOffset !== view.byteOffset)).toBe(true);
    expect(Atomics.load(view, 0)).toBe(123);
    for (const r of others) freeShared(r);
  });
});

describe('SharedRegion repr', () => {
  it('String() and inspect() agree', async () => {
    const { inspect } = await import('node:util');
    const region = allocateShared(8);
    expect(String(region)).toBe(`<SharedRegion offset=${region.byteOffset} length=8>`);
    expect(inspect(region)).toBe(String(region));
  });
});
