import { afterEach, describe, expect, it } from 'vitest';
import { Event, Lock } from '@mp/sync';
import { cleanup, exitCodes, spawn } from './helpers.ts';

afterEach(cleanup);

// A parent blocked in acquireSync() runs no event-loop callback: it cannot see
// its own child exit, so the owner's death must be visible without it (issue 12 item 9).
describe.each(['thread', 'process'] as const)('a Lock whose holder dies while its parent is blocked in acquireSync() (%s)', (method) => {
  type How = 'exit' | 'sigkill' | 'wait';
  const cases: [string, How][] = [
    ['exits holding it', 'exit'],
    ['is killed by its parent', 'wait'],
  ];
  if (method === 'process') cases.push(['SIGKILLs itself', 'sigkill']);

  it.each(cases)('is recovered when the holder %s', async (_, how) => {
    const lock = new Lock();
    const held = new Event();
    const go = new Event();
    const owner = spawn('die-holding', 'acquireAndDie', [lock, held, go, how], method);
    await held.wait(20_000);
    // From here on, nothing runs on this thread's event loop until acquireSync returns.
    go.set();
    if (how === 'wait') owner.kill();
    // Hang guard: false after 20 s means the death was never seen.
    const acquired = lock.acquireSync(20_000);
    expect(acquired).toBe(true);
    lock.release();
    expect(await exitCodes(owner)).toEqual([how === 'exit' ? 0 : -9]);
  });
});
