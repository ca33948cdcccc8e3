import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Process, SharedRegion, allocateShared, ref } from '@mp/core';
import { decode, decodeSync, encode } from '@mp/core/internal';
import { hostilePayloads, verdict } from './fixtures/hostile.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-codec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const marker = () => join(dir, `ran-${n++}`);
const context = { crossProcess: false, startMethod: undefined } as const;

describe('codec: data never names a module to load', () => {
  it('keeps tag-shaped data as data beside a real shared object, after a real structured clone', async () => {
    for (const decoder of [decode, decodeSync]) {
      const path = marker();
      const message = { region: allocateShared(8), request: hostilePayloads(path) };
      const received = (await decoder(structuredClone(encode(message, context, 'item')))) as typeof message;
      expect(verdict(received, path)).toBe('ok');
      expect(received.region.byteOffset).toBe(message.region.byteOffset);
    }
  });

  it('keeps tag-shaped data as data when nothing shared travels with it', async () => {
    const path = marker();
    const encoded = encode({ request: hostilePayloads(path) }, context);
    expect(encoded.shared).toBe(false);
    const received = (await decode(structuredClone(encoded))) as { request: unknown };
    expect(received.request).toEqual(hostilePayloads(path));
    expect(existsSync(path)).toBe(false);
  });

  it('keeps a key named __proto__ an own key, never the prototype', async () => {
    const request = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const received = (await decode(structuredClone(encode({ region: allocateShared(8), request }, context)))) as {
      request: Record<string, unknown>;
    };
    expect(Object.getPrototypeOf(received.request)).toBe(Object.prototype);
    expect(Object.hasOwn(received.request, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('loads only file: modules, and only for the type they define', async () => {
    const path = marker();
    const forged = (module: string) => ({
      value: [{}],
      shared: { objects: [{}], states: [{ type: '@mp/evil.Type', module, state: {} }] },
    });
    await expect(decode(forged('data:text/javascript,globalThis.__mpEvilRan=true'))).rejects.toThrow(/not a file: URL/);
    expect(() => decodeSync(forged('node:child_process'))).toThrow(/not a file: URL/);
    const evil = new URL(`./fixtures/evil.mjs?marker=${encodeURIComponent(path)}`, import.meta.url).href;
    await expect(decode(forged(evil))).rejects.toThrow(/does not define it/);
  });

  it('revives aliases as one object and keeps the shape around them', async () => {
    const region = allocateShared(8);
    const value = { a: region, b: [region], c: new Map([['r', region]]) };
    const received = (await decode(structuredClone(encode(value, context)))) as typeof value;
    expect(received.a).toBeInstanceOf(SharedRegion);
    expect(received.b[0]).toBe(received.a);
    expect(received.c.get('r')).toBe(received.a);
  });
});

describe.each(['thread', 'process'] as const)('codec in a child (%s)', (method) => {
  it('a Process child receives tag-shaped data as data and loads nothing', async () => {
    const path = marker();
    const region = allocateShared(8);
    const p = new Process({
      target: ref(new URL('./fixtures/hostile.ts', import.meta.url), 'receive'),
      args: [{ region, request: hostilePayloads(path) }, path],
      context: method,
    });
    p.start();
    await p.join(30_000);
    expect(p.exitCode).toBe(0);
    expect(Atomics.load(region.int32(), 0)).toBe(1);
    expect(existsSync(path)).toBe(false);
  });
});
