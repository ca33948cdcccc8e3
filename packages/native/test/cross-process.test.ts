import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, segment, spawn } from './helpers.ts';

afterEach(cleanup);

describe('memory shared between processes', () => {
  it('2 processes × 10^6 Atomics.add give the exact total', async () => {
    const { name, view } = segment();
    const count = 1_000_000;
    const children = [spawn('add', [name, String(count)]), spawn('add', [name, String(count)])];
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect(Atomics.load(view, 0)).toBe(2 * count);
  });
});

describe.each(['sync', 'async'] as const)('futex ping-pong between two processes (%s waits)', (mode) => {
  it('alternates strictly for 5 000 rounds', async () => {
    const { name, view } = segment();
    const rounds = 5_000;
    const players = [spawn('ping-pong', [name, '0', String(rounds), mode]), spawn('ping-pong', [name, '1', String(rounds), mode])];
    const reports = await Promise.all(players.map((player) => player.message<{ errors: number; sleeps: number }>()));
    expect(reports.map((report) => report.errors)).toEqual([0, 0]);
    expect(Atomics.load(view, 0)).toBe(2 * rounds);
    // The players really slept (no spinning in this fixture).
    expect(reports[0]!.sleeps + reports[1]!.sleeps).toBeGreaterThan(0);
  });
});
