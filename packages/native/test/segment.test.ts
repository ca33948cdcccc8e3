import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SegmentError,
  createSegment,
  openSegment,
  segmentName,
  unlinkSegment,
} from '@mp/native';
import { adopt, cleanup, segment, shmExists, spawn } from './helpers.ts';

afterEach(cleanup);

describe('createSegment', () => {
  it('gives a real SharedArrayBuffer of the requested size, zero-filled, in /dev/shm', () => {
    const name = segmentName();
    const buffer = createSegment(name, 12_288);
    adopt(name);
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(buffer.byteLength).toBe(12_288);
    expect(new Uint8Array(buffer).every((byte) => byte === 0)).toBe(true);
    expect(statSync(`/dev/shm${name}`).size).toBe(12_288);
    const words = new Int32Array(buffer);
    expect(Atomics.add(words, 0, 5)).toBe(0);
    expect(Atomics.compareExchange(words, 0, 5, 7)).toBe(5);
    expect(Atomics.load(words, 0)).toBe(7);
  });

  it('creates mode 0600 whatever the umask', async () => {
    for (const umask of ['000', '077', '022']) {
      const name = segmentName();
      adopt(name);
      const child = spawn('umask', [name, umask]);
      expect(await child.message()).toBe(0o600);
    }
  });

  it('is sparse: a large reservation takes no memory until touched', () => {
    const name = segmentName();
    const buffer = createSegment(name, 1 << 30);
    adopt(name);
    expect(statSync(`/dev/shm${name}`).blocks).toBe(0);
    new Uint8Array(buffer)[1 << 29] = 1;
    // One page (or one huge page where tmpfs uses them), not a gigabyte.
    expect(statSync(`/dev/shm${name}`).blocks * 512).toBeLessThanOrEqual(2 << 20);
  });

  it('refuses a name that exists (EEXIST), leaving that segment intact', () => {
    const { name, view } = segment();
    view[0] = 9;
    const error = (() => {
      try {
        createSegment(name, 64);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SegmentError);
    expect(error).toMatchObject({ name: 'SegmentError', code: 'EEXIST', errno: -17, syscall: 'shm_open', path: name });
    expect((error as Error).message).toContain('segmentName()');
    expect(new Int32Array(openSegment(name))[0]).toBe(9);
  });

  it('validates its arguments', () => {
    expect(() => createSegment(42 as unknown as string, 8)).toThrow(TypeError);
    for (const bad of ['', '/', 'no-slash', '/a/b', `/${'x'.repeat(256)}`, '/nul\0']) {
      expect(() => createSegment(bad, 8)).toThrow(RangeError);
    }
    expect(() => createSegment(segmentName(), 0)).toThrow(RangeError);
    expect(() => createSegment(segmentName(), 1.5)).toThrow(RangeError);
    expect(() => createSegment(segmentName(), -1)).toThrow(RangeError);
    expect(() => createSegment(segmentName(), '8' as unknown as number)).toThrow(TypeError);
  });

  it('names segments /mp-<pid>-<hex>', () => {
    expect(segmentName()).toMatch(new RegExp(`^/mp-${process.pid}-[0-9a-f]{16}$`));
    expect(segmentName()).not.toBe(segmentName());
  });
});

describe('openSegment', () => {
  it('maps the same memory again: writes through one mapping show in the other', () => {
    const { name, view } = segment(4);
    const again = new Int32Array(openSegment(name));
    expect(again.length).toBe(4);
    Atomics.store(view, 2, 123);
    expect(Atomics.load(again, 2)).toBe(123);
    expect(new Int32Array(openSegment(name, 8)).length).toBe(2);
  });

  it('refuses more bytes than the segment has', () => {
    const { name } = segment(4);
    expect(() => openSegment(name, 17)).toThrow(RangeError);
    expect(() => openSegment(name, 17)).toThrow(/Cannot map 17 bytes of shared-memory segment '.*': it has 16/);
  });

  it('reports a missing segment as ENOENT', () => {
    const name = segmentName();
    expect(() => openSegment(name)).toThrow(SegmentError);
    expect(() => openSegment(name)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'shm_open', path: name }));
  });

  it('unmaps a segment when its SharedArrayBuffer is collected', async () => {
    const child = spawn('unmap-on-gc', [segmentName()], { execArgv: ['--expose-gc'] });
    expect(await child.message()).toEqual({ before: true, after: false });
  });
});

describe('unlinkSegment', () => {
  it('removes the name; existing mappings keep working', () => {
    const name = segmentName();
    const words = new Int32Array(createSegment(name, 64));
    expect(unlinkSegment(name)).toBe(true);
    expect(shmExists(name)).toBe(false);
    expect(unlinkSegment(name)).toBe(false);
    Atomics.store(words, 0, 1);
    expect(Atomics.load(words, 0)).toBe(1);
    expect(() => openSegment(name)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
