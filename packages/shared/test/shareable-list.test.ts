import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FileExistsError, FileNotFoundError, IndexError, NotInListError, ShareableList, SharedMemory, SlotOverflowError, type ShareableItem } from '@mp/shared';
import { runChild } from './run-child.ts';

const run = promisify(execFile);

const made: ShareableList[] = [];
function list<T extends ShareableItem>(items: readonly T[], name?: string): ShareableList<T> {
  const created = new ShareableList<T>(items, name === undefined ? undefined : { name });
  made.push(created);
  return created;
}
afterEach(() => {
  for (const each of made.splice(0)) {
    try {
      each.shm.unlink();
    } catch {
      // A test unlinked it already.
    }
  }
});

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('ShareableList', () => {
  it("stores every item type and reports CPython's formats", () => {
    const sl = list(['howdy', 42n, -273.154, true, null, bytes(1, 2), 7, false, '']);
    expect(sl.length).toBe(9);
    expect([...sl]).toEqual(['howdy', 42n, -273.154, true, null, bytes(1, 2), 7, false, '']);
    // What CPython prints for ShareableList(['howdy', 42, -273.154, True, None, b'\x01\x02', 7.0, False, '']).format
    expect(sl.format).toBe('8sqdxxxxxxx?xxxxxx?x8sdxxxxxxx?8s');
    expect(sl.shm.name).toMatch(/^psm_[0-9a-f]{8}$/);
    // 8 (N) + 8 × 10 (offsets) + 72 (slots) + 8 × 9 (formats) + 9 (kinds), as CPython's struct.calcsize.
    expect(sl.shm.size).toBe(8 + 80 + 72 + 72 + 9);
  });

  it('sizes string slots by UTF-8 bytes, rounded up to the next multiple of 8', () => {
    const sl = list(['1234567', '12345678', 'é'.repeat(4)]);
    expect(sl.format).toBe('8s16s16s');
    sl[0] = '8 bytes!';
    expect(sl[0]).toBe('8 bytes!');
  });

  it('get/set, index access and negative indexes', () => {
    const sl = list<ShareableItem>([1, 'two', 3n]);
    expect(sl[0]).toBe(1);
    expect(sl.get(-1)).toBe(3n);
    expect(sl[-2]).toBe('two');
    sl[0] = 'one';      // a string in an 8-byte slot
    sl.set(-1, null);
    sl[1] = bytes(9);   // bytes in a string slot
    expect([...sl]).toEqual(['one', bytes(9), null]);
    expect(sl.format).toBe('8s8sxxxxxx?x');
    sl[0] = 2.5;        // back to a number
    expect(sl.format).toBe('d8sxxxxxx?x');
    expect(sl[0]).toBe(2.5);
  });

  it('a longer string or bytes than its slot is a SlotOverflowError (CPython: ValueError); the item is unchanged', () => {
    const sl = list<ShareableItem>(['abc', 0]);
    expect(() => (sl[0] = 'more than eight')).toThrow(SlotOverflowError);
    expect(() => sl.set(1, 'nine bytes')).toThrow(expect.objectContaining({ name: 'SlotOverflowError', code: 'ERR_MP_SLOT_OVERFLOW' }));
    expect(() => sl.set(1, new Uint8Array(9))).toThrow('its slot holds 8 bytes');
    expect([...sl]).toEqual(['abc', 0]);
  });

  it('IndexError out of range, TypeError for other item types', () => {
    const sl = list([1, 2]);
    expect(() => sl[2]).toThrow(IndexError);
    expect(() => sl.get(-3)).toThrow('use -2 … 1');
    expect(() => (sl[5] = 1)).toThrow(IndexError);
    expect(() => sl.get(0.5)).toThrow(TypeError);
    expect(() => sl.set(0, undefined as never)).toThrow('store null');
    expect(() => sl.set(0, {} as never)).toThrow(TypeError);
    expect(() => new ShareableList([1, [2]] as never)).toThrow('item 1 of a ShareableList');
    expect(() => new ShareableList([2n ** 63n])).toThrow(RangeError);
    expect(() => new ShareableList('abc' as never)).toThrow(TypeError);
    expect(() => new ShareableList(null)).toThrow(TypeError);
    expect(() => new ShareableList([], { nme: 'x' } as never)).toThrow('did you mean `name`?');
  });

  it('count() and index() compare as Python does (1 == 1n, bytes by content)', () => {
    const sl = list([1, 1n, 'a', bytes(1, 2), null, 1.5, true]);
    expect(sl.count(1)).toBe(2);
    expect(sl.count(1n)).toBe(2);
    expect(sl.count(bytes(1, 2))).toBe(1);
    expect(sl.count('b')).toBe(0);
    expect(sl.index(null)).toBe(4);
    expect(sl.index(true)).toBe(6);
    expect(sl.index(1.5)).toBe(5);
    expect(() => sl.index('b')).toThrow(NotInListError);
    expect(() => sl.index('b')).toThrow(expect.objectContaining({ code: 'ERR_MP_NOT_IN_LIST' }));
  });

  it('attaches by name with `new ShareableList(null, { name })`; both see each other’s writes', () => {
    const sl = list<ShareableItem>(['x', 0]);
    const same = new ShareableList(null, { name: sl.shm.name });
    expect(same.length).toBe(2);
    same[0] = 'y';
    sl[1] = 10n;
    expect(sl[0]).toBe('y');
    expect(same[1]).toBe(10n);
    expect(() => new ShareableList(null, { name: `mp-never-made-${process.pid}` })).toThrow(FileNotFoundError);
    expect(() => new ShareableList([1], { name: sl.shm.name })).toThrow(FileExistsError);
  });

  it('refuses to read a block that is not a ShareableList', () => {
    const shm = new SharedMemory({ create: true, size: 64 });
    try {
      new DataView(shm.buf.buffer).setBigInt64(0, 1000n, true);
      expect(() => new ShareableList(null, { name: shm.name })).toThrow('does not hold a ShareableList');
    } finally {
      shm.unlink();
    }
  });

  it('prints like CPython and throws SharedMemoryClosedError after shm.close()', () => {
    const sl = list(['a', 1n]);
    expect(inspect(sl)).toBe(`ShareableList([ 'a', 1n ], name='${sl.shm.name}')`);
    sl.shm.close();
    expect(() => sl[0]).toThrow(expect.objectContaining({ name: 'SharedMemoryClosedError' }));
  });

  it('an empty list works', () => {
    const sl = list([]);
    expect(sl.length).toBe(0);
    expect(sl.format).toBe('');
    expect(new ShareableList(null, { name: sl.shm.name }).length).toBe(0);
  });
});

describe.each(['thread', 'process'] as const)('ShareableList and children (%s)', (method) => {
  it('travels by name: the child edits the same list', async () => {
    const sl = list<ShareableItem>(['placeholder....', 42n, 'x', 'eight ch']);
    expect(await runChild('shm-write', 'editList', [sl], method)).toBe(0);
    expect([...sl]).toEqual(['from the child', 43n, null, 'SlotOver']);
  });
});

describe('ShareableList and unrelated programs', () => {
  it('a plain `node` program attaches by name', async () => {
    const sl = list(['ping', 'a sixteen slot..']);
    const env = { ...process.env };
    delete env.MP_NATIVE_TRACKER;
    const fixture = fileURLToPath(new URL('./fixtures/attach-by-name.mjs', import.meta.url));
    const { stdout } = await run(process.execPath, [fixture, 'list', sl.shm.name], { env });
    expect(JSON.parse(stdout)).toEqual({ length: 2, format: '8s24s' });
    expect(sl[1]).toBe('ping back');
  });

  const python = (() => {
    try {
      execFileSync('python3', ['-c', 'from multiprocessing import shared_memory'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  // The byte layout is CPython's: a Python program reads and writes our list, and we read its.
  it.skipIf(!python)('a CPython program attaches by name, and we attach to its list', async () => {
    const sl = list(['howdy', 42n, -273.154, true, null, bytes(1, 2), 'héllo']);
    const theirs = `mp-py-${process.pid}-${Date.now()}`;
    // CPython (before 3.13's track=False) registers attached blocks with its tracker, which
    // would unlink them when it exits: unregister.
    const program = [
      'import sys',
      'from multiprocessing import shared_memory as s, resource_tracker as r',
      'l = s.ShareableList(name=sys.argv[1])',
      "r.unregister(l.shm._name, 'shared_memory')",
      'print(repr(list(l)), l.format)',
      "l[0] = 'py'; l[1] = 2**62; l[2] = 1",
      "m = s.ShareableList([1, 2.5, True, None, 'abc', b'xy'], name=sys.argv[2])",
      "r.unregister(m.shm._name, 'shared_memory')",
    ].join('\n');
    const { stdout } = await run('python3', ['-c', program, sl.shm.name, theirs]);
    expect(stdout.trim()).toBe(`['howdy', 42, -273.154, True, None, b'\\x01\\x02', 'héllo'] 8sqdxxxxxxx?xxxxxx?x8s8s`);
    expect([...sl].slice(0, 3)).toEqual(['py', 2n ** 62n, 1n]);
    const python = new ShareableList(null, { name: theirs });
    made.push(python);
    expect([...python]).toEqual([1n, 2.5, true, null, 'abc', bytes(120, 121)]);
    expect(python.format).toBe('qdxxxxxxx?xxxxxx?x8s8s');
  });
});
