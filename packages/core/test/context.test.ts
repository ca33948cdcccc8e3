import { describe, expect, it } from 'vitest';
import {
  cpuCount,
  currentProcess,
  getAllStartMethods,
  getContext,
  getStartMethod,
  isMain,
  parentProcess,
  Process,
  ref,
  setStartMethod,
} from '@mp/core';

describe('the main process and start methods', () => {
  it('describes the main program like Python', () => {
    const main = currentProcess();
    expect(main.name).toBe('MainProcess');
    expect(main.pid).toBe(process.pid);
    expect(main.isAlive()).toBe(true);
    expect(String(main)).toBe("<_MainProcess name='MainProcess' parent=None started>");
    expect(parentProcess()).toBeNull();
    expect(currentProcess()).toBe(main);
  });

  it('counts CPUs', () => {
    expect(Number.isInteger(cpuCount())).toBe(true);
    expect(cpuCount()).toBeGreaterThan(0);
  });

  it('is not the main module under the test runner', () => {
    expect(isMain(import.meta)).toBe(false);
  });

  it('sets the start method once, then only with force', () => {
    expect(getAllStartMethods()).toEqual(['thread', 'process']);
    expect(getStartMethod()).toBe('thread');
    expect(() => setStartMethod('fork' as never)).toThrow(TypeError);
    setStartMethod('process');
    expect(getStartMethod()).toBe('process');
    expect(() => setStartMethod('thread')).toThrow(/already been set.*force/);
    setStartMethod('thread', { force: true });
    expect(getStartMethod()).toBe('thread');
  });

  it('binds a context to a start method', async () => {
    expect(() => getContext('fork' as never)).toThrow(/'thread', 'process'/);
    const ctx = getContext('process');
    expect(ctx.startMethod).toBe('process');
    expect(getContext('process')).toBe(ctx);
    const p = new ctx.Process({ target: ref(new URL('./fixtures/basic.ts', import.meta.url), 'noop') });
    expect(p).toBeInstanceOf(Process);
    p.start();
    expect(p.pid).not.toBe(process.pid);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(String(p)).toMatch(/^<Process /);
  });
});
