import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PoolBrokenError, WorkerLostError } from '@mp/pool';
import { afterEach, describe, expect, it } from 'vitest';
import { fx, makePool, rejection } from './helpers.ts';

const square = fx('square', 'square');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const dirs: string[] = [];
function flagDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-pool-faults-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pool workers of this test process ('process' start method): its children running @mp/core's process entry. */
function workerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('entry/process')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe.each(['thread', 'process'] as const)('workers that die while starting (%s)', (method) => {
  const ways = method === 'process' ? (['kill', 'exit'] as const) : (['exit'] as const);

  it.each(ways)('a worker that dies in its initializer (%s) is replaced; no task fails; the pool goes on', async (how) => {
    const dir = flagDir();
    const pool = makePool({ processes: 2, context: method, initializer: fx('die-starting', 'dieStarting'), initargs: [dir, 1, how] });
    expect(await pool.map(square, range(20), 1)).toEqual(range(20).map((x) => x * x));
    expect(readdirSync(dir)).toEqual(['death-0']); // the death did happen
    expect(await pool.apply(square, [9])).toBe(81);
  });

  it('replacements that keep dying are replaced with back-off until one starts', async () => {
    const dir = flagDir();
    // Four deaths in a row (0, 10, 20, 40 ms of back-off): fewer than the five that would break the pool.
    const pool = makePool({ processes: 1, context: method, initializer: fx('die-starting', 'dieStarting'), initargs: [dir, 4, 'exit'] });
    expect(await pool.apply(square, [5])).toBe(25);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it('workers that can never start break the pool instead of hanging it', async () => {
    const pool = makePool({ processes: 1, context: method, initializer: fx('die-starting', 'alwaysExit') });
    const error = await rejection(pool.apply(square, [2]));
    expect(error).toBeInstanceOf(PoolBrokenError);
    expect(error.message).toMatch(/5 workers in a row died before they were ready, the last one \w+PoolWorker-\d+ with exit code 9/);
    expect(() => pool.applyAsync(square, [1])).toThrow(/Pool not running: it is broken/);
    await pool.join();
  });

  it('chaos: workers die while 200 tasks run; every task is accounted for; the pool still works', async () => {
    const dir = flagDir();
    // Three workers die while starting; the tasks at i % 25 === 7 end their worker;
    // under 'process', an outside killer also SIGKILLs random workers, starting or busy.
    const pool = makePool({ processes: 2, context: method, initializer: fx('die-starting', 'dieStarting'), initargs: [dir, 3, 'exit'] });
    let kills = 0;
    const killer =
      method === 'process'
        ? setInterval(() => {
            const pids = workerPids();
            const victim = pids[Math.floor(Math.random() * pids.length)];
            if (victim === undefined || kills >= 12) return;
            try {
              process.kill(victim, 'SIGKILL');
              kills++;
            } catch {
              // it exited meanwhile
            }
          }, 40)
        : undefined;
    const outcomes: Array<{ value: number } | { error: Error & Record<string, unknown> }> = [];
    try {
      const iterator = pool.imap(fx('die-starting', 'squareOrExit'), range(200));
      for (;;) {
        try {
          const next = await iterator.next();
          if (next.done) break;
          outcomes.push({ value: next.value as number });
        } catch (error) {
          outcomes.push({ error: error as Error & Record<string, unknown> });
        }
      }
    } finally {
      clearInterval(killer);
    }
    expect(outcomes).toHaveLength(200);
    const prefix = method === 'thread' ? 'ThreadPoolWorker' : 'ProcessPoolWorker';
    outcomes.forEach((outcome, i) => {
      if ('value' in outcome) {
        expect(outcome.value).toBe(i * i);
        return;
      }
      expect(outcome.error).toBeInstanceOf(WorkerLostError);
      expect(outcome.error.worker).toMatch(new RegExp(`^${prefix}-\\d+$`));
      expect(outcome.error.message).toContain(`Pool worker ${String(outcome.error.worker)} was lost`);
      if (outcome.error.signal === null) expect({ i, exitCode: outcome.error.exitCode }).toEqual({ i, exitCode: 3 });
    });
    // Every exiting item failed (its worker ended); under 'thread' nothing else did.
    for (let i = 7; i < 200; i += 25) expect('error' in outcomes[i]!).toBe(true);
    if (method === 'thread') expect(outcomes.filter((o) => 'error' in o)).toHaveLength(8);
    expect(readdirSync(dir)).toHaveLength(3);
    if (method === 'process') expect(kills).toBeGreaterThan(0); // the killer did strike
    expect(await pool.map(square, range(10))).toEqual(range(10).map((x) => x * x));
  });
});
