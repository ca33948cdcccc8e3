import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adopt, cleanup, shmExists, spawn, until } from './helpers.ts';

const uid = process.getuid?.() ?? 0;
const isRoot = uid === 0;
const temporaries: string[] = [];

afterEach(async () => {
  await cleanup();
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Planted {
  /** What the child's environment gets. */
  env: NodeJS.ProcessEnv;
  /** The planted directory (where a symlink points): the tracker must write nothing there. */
  inside: string;
}

/** A fresh TMPDIR for the child, so that the test plants its own predictable directory. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-native-test-'));
  temporaries.push(dir);
  return dir;
}

const plantings: [string, boolean, () => Planted][] = [
  [
    'owned by another user, mode 0777',
    isRoot,
    () => {
      const tmp = scratch();
      const planted = join(tmp, `mp-native-${uid}`);
      mkdirSync(planted);
      chownSync(planted, 65534, 65534);
      chmodSync(planted, 0o777);
      return { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: undefined }, inside: planted };
    },
  ],
  [
    'a symlink to a directory the attacker can read',
    true,
    () => {
      const tmp = scratch();
      const elsewhere = join(tmp, 'elsewhere');
      mkdirSync(elsewhere, { mode: 0o700 });
      const planted = join(tmp, `mp-native-${uid}`);
      symlinkSync(elsewhere, planted);
      return { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: undefined }, inside: elsewhere };
    },
  ],
  [
    'ours but open to others (mode 0755)',
    true,
    () => {
      const tmp = scratch();
      const planted = join(tmp, `mp-native-${uid}`);
      mkdirSync(planted);
      chmodSync(planted, 0o755);
      return { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: undefined }, inside: planted };
    },
  ],
  [
    'under XDG_RUNTIME_DIR, mode 0777',
    true,
    () => {
      const tmp = scratch();
      const runtime = join(tmp, 'run');
      mkdirSync(runtime, { mode: 0o700 });
      const planted = join(runtime, `mp-native-${uid}`);
      mkdirSync(planted);
      chmodSync(planted, 0o777);
      return { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: runtime }, inside: planted };
    },
  ],
];

interface Report {
  names: string[];
  session: string;
  /** The session of the child ('process') or of the worker thread ('thread'). */
  other: string;
  warnings: string[];
}

describe.each(['process', 'thread'] as const)('a planted tracker directory (%s)', (mode) => {
  for (const [what, applies, plant] of plantings) {
    // The first needs root: only root can give a directory away.
    it.skipIf(!applies)(`is refused, and the program carries on in a private directory: ${what}`, async () => {
      const { env, inside } = plant();
      const program = spawn('planted', [mode], { env });
      const report = await program.message<Report>();
      for (const name of report.names) adopt(name);
      expect(report.names).toHaveLength(mode === 'thread' ? 2 : 1);

      // A private, randomly named base in the temporary directory, mode 0700, ours.
      const base = dirname(report.session);
      expect(base.startsWith(join(env.TMPDIR as string, `mp-native-${uid}-p`))).toBe(true);
      const stat = lstatSync(base);
      expect(stat.isDirectory()).toBe(true);
      expect(stat.uid).toBe(uid);
      expect(stat.mode & 0o777).toBe(0o700);
      // The child (or the other thread) joined the same session.
      expect(report.other).toBe(report.session);
      expect(report.warnings).toContain('MP_NATIVE_UNSAFE_DIRECTORY');
      // Nothing was written where the attacker could see or change it.
      expect(readdirSync(inside)).toEqual([]);

      expect(await program.exited).toEqual({ code: 0, signal: null });
      for (const name of report.names) {
        await until(() => !shmExists(name), `the tracker unlinked ${name}`, 15_000);
      }
      await until(() => !existsSync(base), 'the tracker removed the private directory', 15_000);
      expect(readdirSync(inside)).toEqual([]);
    });
  }
});

describe('the usual tracker directory', () => {
  it('is used when it is safe, and a tampered inherited session is not joined', async () => {
    const tmp = scratch();
    // A session path handed down in MP_NATIVE_TRACKER that is not private any more.
    const open = join(tmp, `mp-native-${uid}`, 'session-1-1');
    mkdirSync(open, { recursive: true, mode: 0o700 });
    chmodSync(open, 0o777);
    const program = spawn('planted', ['process'], { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: undefined, MP_NATIVE_TRACKER: open } });
    const report = await program.message<Report>();
    for (const name of report.names) adopt(name);
    expect(dirname(report.session)).toBe(join(tmp, `mp-native-${uid}`));
    expect(report.session).not.toBe(open);
    expect(report.other).toBe(report.session);
    expect(report.warnings).toEqual([]);
    expect(readdirSync(open)).toEqual([]);
    expect(await program.exited).toEqual({ code: 0, signal: null });
    for (const name of report.names) {
      await until(() => !shmExists(name), `the tracker unlinked ${name}`, 15_000);
    }
  });
});
