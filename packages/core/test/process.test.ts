import { threadId } from 'node:worker_threads';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DataCloneError, Process, ProcessStateError, activeChildren, ref } from '@mp/core';
import { ExitProcess } from './fixtures/subclass.ts';

const basic = new URL('./fixtures/basic.ts', import.meta.url);
const nested = new URL('./fixtures/nested.ts', import.meta.url);
const target = (name: string) => ref(basic, name);

const started: Process[] = [];
function start(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = new Process(options);
  p.start();
  started.push(p);
  return p;
}

afterEach(async () => {
  for (const p of started.splice(0)) {
    p.kill();
    await p.join(5_000);
  }
});

describe.each(['thread', 'process'] as const)('Process (%s)', (context) => {
  it('runs the target with its arguments and exits 0', async () => {
    const p = start({ target: target('checkIdentity'), args: ['named', 'MainProcess', [1, 2, 3]], name: 'named', context });
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
  });

  it('reports exit codes: 1 for an error, n for process.exit(n), async targets awaited', async () => {
    const cases: [string, unknown[], number][] = [
      ['noop', [], 0],
      ['fail', ['boom'], 1],
      ['exitWith', [7], 7],
      ['resolveLater', [], 0],
      ['rejectLater', [], 1],
    ];
    const ps = cases.map(([name, args]) => start({ target: target(name), args, context }));
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual(cases.map(([, , code]) => code));
  });

  it('reports -15 after terminate() and -9 after kill()', async () => {
    const a = start({ target: target('forever'), context });
    const b = start({ target: target('forever'), context });
    await a.join(50);
    expect(a.isAlive()).toBe(true);
    expect(a.exitCode).toBeNull();
    a.terminate();
    b.kill();
    await Promise.all([a.join(), b.join()]);
    expect(a.exitCode).toBe(-15);
    expect(b.exitCode).toBe(-9);
    expect(String(a)).toContain('exitcode=-SIGTERM');
  });

  it('join(timeout) resolves without error while the child runs', async () => {
    const p = start({ target: target('forever'), context });
    await expect(p.join(20)).resolves.toBeUndefined();
    expect(p.isAlive()).toBe(true);
    expect(activeChildren()).toContain(p);
    p.terminate();
    await p.join();
    expect(activeChildren()).not.toContain(p);
  });

  it('gives pid and ident as the start method defines them', async () => {
    const p = start({ target: target('noop'), context });
    if (context === 'process') {
      expect(p.pid).not.toBe(process.pid);
      expect(p.ident).toBe(p.pid);
    } else {
      expect(p.pid).toBe(process.pid);
      expect(p.ident).not.toBe(threadId);
    }
    await p.join();
  });

  it('clones arguments (nested maps, dates) and refuses functions, naming the argument', async () => {
    const value = { nested: { list: [1, 2, 3], map: new Map([['d', new Date()]]) } };
    const p = start({ target: target('checkClone'), args: [value], context });
    await p.join();
    expect(p.exitCode).toBe(0);
    const bad = new Process({ target: target('noop'), args: [1, { callback: () => 1 }], context });
    expect(() => bad.start()).toThrow(DataCloneError);
    expect(() => bad.start()).toThrow(/args\[1\]\.callback/);
  });

  it('children inherit the environment and the working directory', async () => {
    process.env['MP_TEST_INHERIT'] = 'yes';
    const p = start({ target: target('checkEnvironment'), args: ['MP_TEST_INHERIT', 'yes', process.cwd()], context });
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('runs an exported subclass whose run() is overridden, with its fields', async () => {
    const p = new ExitProcess(5, 'sub', context);
    started.push(p);
    p.start();
    await p.join();
    expect(p.exitCode).toBe(5);
    expect(String(p)).toMatch(/^<ExitProcess name='Process-\d+' pid=\d+ parent=\d+ stopped exitcode=5>$/);
  });

  it('names grandchildren Process-N:1', async () => {
    const p = start({ target: ref(nested, 'spawnGrandchild'), context });
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('reports a missing module, a missing export and a non-function export as exit code 1', async () => {
    const ps = [
      start({ target: ref(new URL('./fixtures/missing.ts', import.meta.url), 'x'), context }),
      start({ target: target('missingExport'), context }),
      start({ target: target('notAFunction'), context }),
    ];
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual([1, 1, 1]);
  });

  it('refuses to start from a module imported by a child (no runaway recursion)', async () => {
    const p = start({ target: ref(new URL('./fixtures/unguarded.ts', import.meta.url), 'work'), context });
    await p.join(20_000);
    expect(p.exitCode).toBe(1);
  });
});

describe('Process lifecycle errors', () => {
  it('cannot start twice, close while running, start after close, join before start', async () => {
    const p = new Process({ target: target('forever') });
    await expect(p.join()).rejects.toThrow(ProcessStateError);
    await expect(p.join()).rejects.toThrow('can only join a started process');
    p.start();
    started.push(p);
    expect(() => p.start()).toThrow('cannot start a process twice');
    expect(() => p.close()).toThrow(/still running/);
    expect(() => {
      p.daemon = true;
    }).toThrow(ProcessStateError);
    p.terminate();
    await p.join();
    p.close();
    expect(() => p.start()).toThrow('process object is closed');
    const unstarted = new Process({ target: target('noop') });
    unstarted.close();
    expect(() => unstarted.start()).toThrow(ProcessStateError);
  });

  it('rejects bad options with a TypeError naming them', () => {
    expect(() => new Process({ target: 42 as never })).toThrow(/`target`.*42/);
    expect(() => new Process({ args: 'x' as never })).toThrow(/`args`/);
    expect(() => new Process({ context: 'fork' as never })).toThrow(/'thread', 'process'.*fork/);
    expect(() => new Process({ daemon: 'yes' as never })).toThrow(/`daemon`/);
  });

  it('reads like Python in inspect and String', async () => {
    const p = new Process({ target: target('forever'), name: 'worker', daemon: true });
    expect(String(p)).toBe(`<Process name='worker' parent=${process.pid} initial daemon>`);
    p.start();
    started.push(p);
    expect(inspect(p)).toBe(`<Process name='worker' pid=${p.pid} parent=${process.pid} started daemon>`);
    p.kill();
    await p.join();
    expect(inspect(p)).toBe(`<Process name='worker' pid=${p.pid} parent=${process.pid} stopped exitcode=-SIGKILL daemon>`);
    p.close();
    expect(String(p)).toBe(`<Process name='worker' parent=${process.pid} closed daemon>`);
  });

  it('numbers default names with a global counter', () => {
    const a = new Process();
    const b = new Process();
    const n = Number(a.name.split('-')[1]);
    expect(a.name).toMatch(/^Process-\d+$/);
    expect(b.name).toBe(`Process-${n + 1}`);
    b.name = 'renamed';
    expect(b.name).toBe('renamed');
  });
});
