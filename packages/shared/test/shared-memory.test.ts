import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentError } from '@mp/native';
import {
  FileExistsError,
  FileNotFoundError,
  ShareableList,
  SharedMemory,
  SharedMemoryClosedError,
  SharedMemoryUnsupportedError,
} from '@mp/shared';
import { ref } from '@mp/core';
import { Queue } from '@mp/ipc';
import { Pool } from '@mp/pool';
import { runChild, start } from './run-child.ts';

const run = promisify(execFile);
const poolWrite = ref(new URL('./fixtures/shm-write.ts', import.meta.url), 'poolWrite');
const fixture = (file: string): string => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
/** The environment of an unrelated program: it must not join this test's tracker session. */
const unrelatedEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.MP_NATIVE_TRACKER;
  delete env.NODE_OPTIONS;
  return env;
};

const made: SharedMemory[] = [];
/** A block created for one test, unlinked after it. */
function create(size: number, name?: string): SharedMemory {
  const shm = new SharedMemory({ create: true, size, ...(name === undefined ? {} : { name }) });
  made.push(shm);
  return shm;
}
afterEach(() => {
  for (const shm of made.splice(0)) {
    if (existsSync(`/dev/shm/${shm.name}`)) shm.unlink();
  }
});

describe('SharedMemory', () => {
  it("creates a block with a fresh CPython-style name, and attaches to it by name", () => {
    const shm = create(10);
    expect(shm.name).toMatch(/^psm_[0-9a-f]{8}$/);
    expect(shm.size).toBe(10);
    expect(shm.buf).toBeInstanceOf(Uint8Array);
    expect(shm.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
    shm.buf.set([1, 2, 3]);
    const other = new SharedMemory({ name: shm.name });
    // CPython on Linux reports the segment's size when attaching: 10, not a page.
    expect(other.size).toBe(10);
    expect([...other.buf.subarray(0, 3)]).toEqual([1, 2, 3]);
    other.buf[9] = 99;
    expect(shm.buf[9]).toBe(99);
    other.close();
  });

  it('takes a given name; a leading slash is dropped', () => {
    const name = `mp-test-${process.pid}-${Date.now()}`;
    const shm = create(4, `/${name}`);
    expect(shm.name).toBe(name);
    expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  });

  it('FileExistsError creating a name that exists, FileNotFoundError attaching to one that does not', () => {
    const shm = create(8);
    const exists = (() => {
      try {
        new SharedMemory({ name: shm.name, create: true, size: 8 });
      } catch (error) {
        return error;
      }
    })();
    expect(exists).toBeInstanceOf(FileExistsError);
    expect(exists).toBeInstanceOf(SegmentError);
    expect(exists).toMatchObject({ name: 'FileExistsError', code: 'EEXIST', errno: -17, syscall: 'shm_open', path: `/${shm.name}` });
    expect((exists as Error).message).toContain(`new SharedMemory({ name: '${shm.name}' })`);

    const missing = `mp-never-made-${process.pid}`;
    expect(() => new SharedMemory({ name: missing })).toThrow(FileNotFoundError);
    expect(() => new SharedMemory({ name: missing })).toThrow(
      expect.objectContaining({ name: 'FileNotFoundError', code: 'ENOENT', errno: -2, path: `/${missing}` }),
    );
  });

  it('unlink() removes the name once; the second is a FileNotFoundError; attached handles keep working', () => {
    const shm = new SharedMemory({ create: true, size: 16 });
    const other = new SharedMemory({ name: shm.name });
    shm.unlink();
    expect(existsSync(`/dev/shm/${shm.name}`)).toBe(false);
    expect(() => new SharedMemory({ name: shm.name })).toThrow(FileNotFoundError);
    expect(() => shm.unlink()).toThrow(expect.objectContaining({ name: 'FileNotFoundError', code: 'ENOENT', syscall: 'shm_unlink' }));
    other.buf[0] = 5;
    expect(shm.buf[0]).toBe(5);
  });

  it('close() and `using`: buf throws afterwards, the block stays', () => {
    const shm = create(8);
    {
      using attached = new SharedMemory({ name: shm.name });
      attached.buf[0] = 1;
      shm.close();
      expect(() => shm.buf).toThrow(SharedMemoryClosedError);
      expect(() => shm.buf).toThrow(`SharedMemory('${shm.name}', size=8) is closed`);
      expect(attached.buf[0]).toBe(1);
      var escaped = attached; // eslint-disable-line no-var -- to look at it after its scope
    }
    expect(() => escaped.buf).toThrow(SharedMemoryClosedError);
    shm.close(); // twice: nothing
    expect(new SharedMemory({ name: shm.name }).buf[0]).toBe(1);
  });

  it("prints as CPython's repr", () => {
    const shm = create(32);
    expect(String(shm)).toBe(`SharedMemory('${shm.name}', size=32)`);
    expect(inspect(shm)).toBe(`SharedMemory('${shm.name}', size=32)`);
  });

  it('rejects bad arguments with TypeError / RangeError saying what was expected', () => {
    expect(() => new SharedMemory()).toThrow(TypeError);
    expect(() => new SharedMemory()).toThrow("'name' can only be None if create=True");
    expect(() => new SharedMemory({ create: true })).toThrow(TypeError);
    expect(() => new SharedMemory({ create: true, size: 0 })).toThrow(RangeError);
    expect(() => new SharedMemory({ create: true, size: 0 })).toThrow('different from zero');
    expect(() => new SharedMemory({ create: true, size: -1 })).toThrow(RangeError);
    expect(() => new SharedMemory({ create: true, size: 1.5 })).toThrow(RangeError);
    expect(() => new SharedMemory({ create: true, size: '8' as never })).toThrow(TypeError);
    expect(() => new SharedMemory({ name: 'a/b' })).toThrow(RangeError);
    expect(() => new SharedMemory({ name: '' })).toThrow(RangeError);
    expect(() => new SharedMemory({ name: 5 as never })).toThrow(TypeError);
    expect(() => new SharedMemory({ create: 'yes' as never, size: 8 })).toThrow(TypeError);
    expect(() => new SharedMemory({ create: true, size: 8, sise: 8 } as never)).toThrow('did you mean `size`?');
  });

  it('with `track: true` when attaching, and `track: false` when creating, unlink still works', () => {
    const shm = new SharedMemory({ create: true, size: 8, track: false });
    const tracked = new SharedMemory({ name: shm.name, track: true });
    tracked.unlink();
    expect(existsSync(`/dev/shm/${shm.name}`)).toBe(false);
  });
});

describe.each(['thread', 'process'] as const)('SharedMemory and children (%s)', (method) => {
  it('travels by name: the child gets a SharedMemory over the same block (also nested)', async () => {
    const shm = create(64);
    expect(await runChild('shm-write', 'writeShm', [shm, { shm }, [1, 2, 3]], method)).toBe(0);
    expect([...shm.buf.subarray(0, 4)]).toEqual([1, 2, 3, 64]);
  });

  it('travels by name in a queue item', async () => {
    const shm = create(4);
    const queue = new Queue<{ shm: SharedMemory }>();
    const child = start('shm-write', 'fromQueue', [queue], method);
    await queue.put({ shm });
    await child.join();
    expect(child.exitCode).toBe(0);
    expect(shm.buf[0]).toBe(99);
  });

  it('travels by name in pool tasks (a SharedMemory and a ShareableList)', async () => {
    const shm = create(3);
    const list = new ShareableList([0, 0, 0]);
    try {
      await using pool = new Pool({ processes: 2, context: method });
      expect(await pool.starmap(poolWrite, [0, 1, 2].map((at) => [shm, list, at, at + 10]))).toEqual([3, 3, 3]);
      expect([...shm.buf]).toEqual([10, 11, 12]);
      expect([...list]).toEqual([10, 11, 12]);
    } finally {
      list.shm.unlink();
    }
  });

  it('a child attaches by name', async () => {
    const shm = create(8);
    expect(await runChild('shm-write', 'attachAndWrite', [shm.name, 42], method)).toBe(0);
    expect(shm.buf[0]).toBe(42);
  });
});

describe('SharedMemory and unrelated programs', () => {
  it('a plain `node` program attaches by name', async () => {
    const shm = create(100);
    shm.buf[0] = 41;
    const { stdout } = await run(process.execPath, [fixture('attach-by-name.mjs'), 'memory', shm.name], { env: unrelatedEnv() });
    expect(JSON.parse(stdout)).toEqual({ size: 100, name: shm.name });
    expect(shm.buf[1]).toBe(42);
  });

  /** Starts create-and-wait.mjs; resolves with the child and the names it printed. */
  async function creator(mode: 'tracked' | 'untracked'): Promise<{ name: string; sentinel: string; child: ReturnType<typeof spawn> }> {
    const child = spawn(process.execPath, [fixture('create-and-wait.mjs'), mode], { env: unrelatedEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      if (out.includes('\n')) break;
    }
    const [name = '', sentinel = ''] = out.trim().split(' ');
    return { name, sentinel, child };
  }

  async function kill(child: ReturnType<typeof spawn>): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Resolves once `/dev/shm/<name>` is gone: the tracker polls every 100 ms (the test timeout is the hang guard). */
  async function gone(name: string): Promise<void> {
    while (existsSync(`/dev/shm/${name}`)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it('a block is unlinked by the resource tracker when its creator is killed', async () => {
    const { name, child } = await creator('tracked');
    expect(new SharedMemory({ name }).buf[0]).toBe(7);
    await kill(child);
    await gone(name);
    expect(() => new SharedMemory({ name })).toThrow(FileNotFoundError);
  });

  it('a block made with `track: false` outlives its killed creator', async () => {
    const { name, sentinel, child } = await creator('untracked');
    await kill(child);
    // The tracked sentinel going tells that the tracker has made its pass over the session.
    await gone(sentinel);
    const shm = new SharedMemory({ name });
    made.push(shm);
    expect(shm.buf[0]).toBe(7);
  });

  it('without @mp/native (here: pretending not to be Linux) says why, with @mp/native\'s reason', async () => {
    const pretend = `data:text/javascript,Object.defineProperty(process,"platform",{value:"darwin"})`;
    const program = [
      "import { SharedMemory } from '@mp/shared';",
      'try { new SharedMemory({ create: true, size: 8 }); } catch (e) {',
      '  console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, cause: e.cause?.code })); }',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', pretend, '--input-type=module', '-e', program], {
      env: unrelatedEnv(),
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    const error = JSON.parse(stdout) as { name: string; code: string; message: string; cause: string };
    expect(error).toMatchObject({ name: 'SharedMemoryUnsupportedError', code: 'ERR_MP_SHARED_MEMORY_UNSUPPORTED', cause: 'ERR_MP_NATIVE_UNSUPPORTED' });
    expect(error.message).toContain('SharedMemory needs POSIX shared memory through @mp/native');
    expect(error.message).toContain('this is darwin');
    expect(new SharedMemoryUnsupportedError('x').code).toBe('ERR_MP_SHARED_MEMORY_UNSUPPORTED');
  });
});
