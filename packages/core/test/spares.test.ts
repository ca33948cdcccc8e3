import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Process, getSpares, ref, setSpares } from '@mp/core';
import { preloadInSpares, setSpawnOptions, whenSparesReady } from '@mp/core/internal';
import type { Seen } from './fixtures/spares.ts';

const fixture = new URL('./fixtures/spares.ts', import.meta.url);
const target = (name: string) => ref(fixture, name);
const unguarded = ref(new URL('./fixtures/unguarded.ts', import.meta.url), 'work');

const dir = mkdtempSync(join(tmpdir(), 'mp-spares-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started: Process[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    p.kill();
    await p.join(10_000);
  }
  setSpares(undefined);
});

function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Starts a child that describes itself; resolves with what it saw, when it was started, and the process object. */
async function describeChild(
  context: 'thread' | 'process',
  options: { code?: number; name?: string; spawn?: Parameters<typeof setSpawnOptions>[1] } = {},
): Promise<{ seen: Seen; at: number; p: Process }> {
  // A spare boots in the background after the child it replaces: on a loaded machine it may not be
  // ready yet, and start() would rightly go cold. The tests ask what a child from a spare sees.
  await whenSparesReady();
  const file = join(dir, `seen-${files++}.json`);
  const at = wallNow();
  const p = new Process({ target: target('describeSelf'), args: [file, at, options.code ?? 0], context, ...(options.name ? { name: options.name } : {}) });
  if (options.spawn) setSpawnOptions(p, options.spawn);
  started.push(p);
  p.start();
  await p.join(60_000);
  expect(p.exitCode).toBe(options.code ?? 0);
  return { seen: JSON.parse(readFileSync(file, 'utf8')) as Seen, at, p };
}

describe('setSpares / getSpares', () => {
  it('defaults to 2, takes 0 to 16, and goes back to MP_SPARES or the default with undefined', () => {
    const before = process.env['MP_SPARES'];
    try {
      delete process.env['MP_SPARES'];
      expect(getSpares()).toBe(2);
      process.env['MP_SPARES'] = '0';
      expect(getSpares()).toBe(0);
      setSpares(5);
      expect(getSpares()).toBe(5);
      setSpares(undefined);
      expect(getSpares()).toBe(0);
      process.env['MP_SPARES'] = 'many';
      expect(() => getSpares()).toThrow(/Expected MP_SPARES to be an integer from 0 to 16 \(how many warm spares .*\), got `'many'`/);
      expect(() => setSpares(-1)).toThrow(/integer from 0 to 16/);
      expect(() => setSpares(1.5)).toThrow(/integer from 0 to 16/);
      expect(() => setSpares(17)).toThrow(/integer from 0 to 16/);
    } finally {
      if (before === undefined) delete process.env['MP_SPARES'];
      else process.env['MP_SPARES'] = before;
      setSpares(undefined);
    }
  });
});

describe.each(['thread', 'process'] as const)('warm spares (%s)', (context) => {
  beforeEach(async () => {
    setSpares(2);
    // The first child of the run starts cold and leaves spares behind it.
    await describeChild(context);
  });

  it('a child is made from a spare started before start(); with spares off, it starts cold', async () => {
    const warm = await describeChild(context);
    expect(warm.seen.fromSpare).toBe(true);
    setSpares(0);
    const cold = await describeChild(context);
    expect(cold.seen.fromSpare).toBe(false);
  });

  it('sees the environment of start() time, not of the spare: variables set, changed and removed after it started', async () => {
    process.env['MP_SPARE_GONE'] = 'was here';
    await describeChild(context); // this one's replacement starts with MP_SPARE_GONE set
    delete process.env['MP_SPARE_GONE'];
    process.env['MP_SPARE_NEW'] = 'set after the spare started';
    try {
      const { seen } = await describeChild(context);
      expect(seen.fromSpare).toBe(true);
      expect(seen.env['MP_SPARE_NEW']).toBe('set after the spare started');
      expect(seen.env).not.toHaveProperty('MP_SPARE_GONE');
      expect(seen.env).not.toHaveProperty('MP_PARENT_PID');
    } finally {
      delete process.env['MP_SPARE_NEW'];
      delete process.env['MP_SPARE_GONE'];
    }
  });

  it('runs in the working directory of start() time', async () => {
    const home = process.cwd();
    const elsewhere = realpathSync(mkdtempSync(join(dir, 'cwd-')));
    process.chdir(elsewhere);
    try {
      const { seen } = await describeChild(context);
      expect(seen.fromSpare).toBe(true);
      expect(seen.cwd).toBe(elsewhere);
    } finally {
      process.chdir(home);
    }
  });

  it('has the execArgv a cold child has; a child that asks for other flags or limits starts cold with them', async () => {
    const warm = await describeChild(context);
    setSpares(0);
    const cold = await describeChild(context);
    setSpares(2);
    expect(warm.seen.execArgv).toEqual(cold.seen.execArgv);
    const spawn = context === 'process' ? { execArgv: [...cold.seen.execArgv, '--no-warnings'] } : { resourceLimits: { maxOldGenerationSizeMb: 256 } };
    const special = await describeChild(context, { spawn });
    expect(special.seen.fromSpare).toBe(false);
    if (context === 'process') expect(special.seen.execArgv).toContain('--no-warnings');
  });

  it('has its own name, parent, pid and ident; each spare runs one child, with fresh module state', async () => {
    const a = await describeChild(context, { name: 'first' });
    const b = await describeChild(context);
    for (const { seen, p } of [a, b]) {
      expect(seen.fromSpare).toBe(true);
      expect(seen.name).toBe(p.name);
      expect(seen.parentName).toBe('MainProcess');
      expect(seen.calls).toBe(1);
      expect(seen.ident).toBe(p.ident);
      if (context === 'process') {
        expect(seen.pid).toBe(p.pid);
        expect(seen.ppid).toBe(process.pid);
      } else {
        expect(seen.pid).toBe(process.pid);
        expect(seen.threadId).toBe(p.ident);
        expect(seen.threadId).not.toBe(threadId);
      }
    }
    expect(a.seen.name).toBe('first');
    expect(b.seen.name).toMatch(/^Process-\d+$/);
    expect(a.p.ident).not.toBe(b.p.ident);
  });

  it('reports exit codes: n for process.exit(n), 1 for an uncaught error', async () => {
    await describeChild(context, { code: 7 });
    const failing = new Process({ target: target('fail'), context });
    started.push(failing);
    failing.start();
    await failing.join(60_000);
    expect(failing.exitCode).toBe(1);
  });

  it('terminate() and kill() end a child made from a spare with -15 and -9', async () => {
    const a = new Process({ target: target('forever'), context });
    const b = new Process({ target: target('forever'), context });
    started.push(a, b);
    a.start();
    b.start();
    await a.join(100);
    expect(a.isAlive()).toBe(true);
    a.terminate();
    b.kill();
    await Promise.all([a.join(30_000), b.join(30_000)]);
    expect(a.exitCode).toBe(-15);
    expect(b.exitCode).toBe(-9);
  });

  it('keeps the bootstrapping guard: a target module that starts a child at import fails', async () => {
    const p = new Process({ target: unguarded, context });
    started.push(p);
    p.start();
    await p.join(60_000);
    expect(p.exitCode).toBe(1);
  });

  it('imports the modules named by preloadInSpares while it waits: the child finds them loaded, run once', async () => {
    const before = await describeChild(context);
    expect(before.seen.preloadedRuns).toBe(0);
    const removes = [preloadInSpares(new URL('./fixtures/preloaded.ts', import.meta.url).href)];
    try {
      // The spares waiting now started before the call: end them, and wait for new ones.
      setSpares(0);
      setSpares(2);
      const { seen } = await describeChild(context);
      expect(seen.fromSpare).toBe(true);
      expect(seen.preloadedRuns).toBe(1);
      // A module that does not load is left to the child that needs it: the spare still serves.
      removes.push(preloadInSpares(new URL('./fixtures/no-such-module.ts', import.meta.url).href));
      setSpares(0);
      setSpares(2);
      const after = await describeChild(context);
      expect(after.seen.fromSpare).toBe(true);
      expect(after.seen.preloadedRuns).toBe(1);
    } finally {
      for (const remove of removes) remove();
      setSpares(0); // no spare that preloaded the fixture serves a later test
    }
  });

  it('after a burst, as many spares as the burst are ready for the next one', async () => {
    const burst = async () => {
      const files3 = [0, 1, 2].map(() => join(dir, `seen-${files++}.json`));
      const at = wallNow();
      const ps = files3.map((file) => new Process({ target: target('describeSelf'), args: [file, at], context }));
      started.push(...ps);
      for (const p of ps) p.start();
      await Promise.all(ps.map((p) => p.join(60_000)));
      return { seen: files3.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Seen) };
    };
    await burst();
    // The refill after a burst of 3 starts 3 spares (one at a time): all of the next burst come from spares.
    await whenSparesReady();
    const next = await burst();
    for (const seen of next.seen) expect(seen.fromSpare).toBe(true);
  });
});
