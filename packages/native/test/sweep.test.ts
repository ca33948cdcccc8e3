import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { adopt, cleanup, shmExists, spawn, until } from './helpers.ts';

const temporaries: string[] = [];

afterEach(async () => {
  await cleanup();
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Report {
  name: string;
  session: string;
  tracker: number;
}

/** Whether `pid` runs (a zombie does not: the tracker is its creator's child, which may not reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe.each(['process', 'thread'] as const)('sessions whose tracker was killed (%s)', (mode) => {
  it('are swept by the next tracker that starts: the segment of a dead program is unlinked, a live one is kept', async () => {
    // A TMPDIR of its own: the sweep looks at this user's sessions there only.
    const tmp = mkdtempSync(`${tmpdir()}/mp-native-test-`);
    temporaries.push(tmp);
    const env = { TMPDIR: tmp, XDG_RUNTIME_DIR: undefined };

    // A program whose tracker dies first, then the program itself: nobody unlinks its segment.
    const dead = spawn('track-one', [mode, 'idle'], { env });
    const leaked = await dead.message<Report>();
    adopt(leaked.name);
    process.kill(leaked.tracker, 'SIGKILL');
    await until(() => !isRunning(leaked.tracker), 'the tracker died');
    dead.process.kill('SIGKILL');
    await dead.exited;
    expect(shmExists(leaked.name)).toBe(true);

    // A program whose tracker dies while it runs: its session must be left alone.
    const alive = spawn('track-one', [mode, 'idle'], { env });
    const kept = await alive.message<Report>();
    adopt(kept.name);
    process.kill(kept.tracker, 'SIGKILL');
    await until(() => !isRunning(kept.tracker), 'the tracker died');

    // The next program starts a tracker, which sweeps.
    const next = spawn('track-one', [mode, 'exit'], { env });
    const fresh = await next.message<Report>();
    adopt(fresh.name);
    await until(() => !shmExists(leaked.name), 'the new tracker unlinked the dead program\'s segment', 15_000);
    await until(() => !existsSync(leaked.session), 'the new tracker removed the dead session', 15_000);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    // The tracker sweeps before it watches its own session: once that has ended, the sweep is over.
    await until(() => !shmExists(fresh.name), 'the new tracker unlinked its own segment', 15_000);
    await until(() => !existsSync(fresh.session), 'the new tracker ended its own session', 15_000);
    expect(shmExists(kept.name)).toBe(true);
    expect(existsSync(kept.session)).toBe(true);
  });
});
