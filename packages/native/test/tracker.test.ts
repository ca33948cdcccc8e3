import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { trackSegment, trackUser, untrackSegment } from '@mp/native';
import { adopt, cleanup, shmExists, spawn, until } from './helpers.ts';

afterEach(cleanup);

interface Report {
  name: string;
  childPid: number;
  session: string;
  value: number;
}

describe('resource tracker', () => {
  it('unlinks a segment once its creator and the child that mapped it are both killed', async () => {
    const parent = spawn('tracker-parent');
    const { name, childPid, value } = await parent.message<Report>();
    adopt(name); // Only unlinked by cleanup() if the tracker failed to.
    expect(value).toBe(42); // The child wrote through its own mapping.
    // Only this segment's own state is asserted: other test files create and unlink
    // segments in /dev/shm at the same time.
    expect(shmExists(name)).toBe(true);
    process.kill(childPid, 'SIGKILL');
    parent.process.kill('SIGKILL');
    await until(() => !shmExists(name), 'the tracker unlinked the segment', 15_000);
  });

  it('keeps the segment while any user lives', async () => {
    const parent = spawn('tracker-parent');
    const { name, childPid, session } = await parent.message<Report>();
    adopt(name);
    const parentPid = parent.process.pid as number;
    parent.process.kill('SIGKILL');
    // The tracker forgets a dead user once it has noticed the death: a state to wait for.
    await until(() => !readdirSync(session).includes(`user~${parentPid}`), 'the tracker noticed the parent died');
    expect(shmExists(name)).toBe(true);
    process.kill(childPid, 'SIGKILL');
    await until(() => !shmExists(name), 'the tracker unlinked the segment', 15_000);
    await until(() => !existsSync(session), 'the tracker removed its session and exited', 15_000);
  });

  it('unlinks what a process left tracked when it exits normally; starts a new session if the inherited one is gone', async () => {
    const child = spawn('tracker-exit', [], { env: { MP_NATIVE_TRACKER: '/nonexistent/mp-native-session' } });
    const report = await child.message<{ kept: string; done: string; session: string; entries: string[] }>();
    adopt(report.kept);
    expect(report.session).toMatch(/mp-native-\d+\/session-\d+-\d+$/);
    const pid = child.process.pid as number;
    expect(report.entries).toEqual([`segment~${encodeURIComponent(report.kept)}`, 'tracker.pid', `user~${pid}`]);
    expect(shmExists(report.done)).toBe(false);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await until(() => !shmExists(report.kept), 'the tracker unlinked the segment', 15_000);
    await until(() => !existsSync(report.session), 'the tracker ended the session', 15_000);
  });

  it('validates its arguments', () => {
    expect(() => trackSegment('nope')).toThrow(TypeError);
    expect(() => untrackSegment(3 as unknown as string)).toThrow(TypeError);
    expect(() => trackUser(0)).toThrow(RangeError);
    expect(() => trackUser('1' as unknown as number)).toThrow(TypeError);
  });
});
