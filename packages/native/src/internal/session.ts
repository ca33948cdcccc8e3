import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable through which children find their parent's tracker session. */
export const TRACKER_ENV = 'MP_NATIVE_TRACKER';

/** Entry prefixes in a session directory (see src/tracker.ts). */
export const SEGMENT_PREFIX = 'segment~';
export const USER_PREFIX = 'user~';
export const TRACKER_FILE = 'tracker.pid';

/**
 * `<runtime dir>/mp-native-<uid>`, created with mode 0700 and checked: a directory
 * (not a symlink) owned by this user and closed to everyone else. Everything the
 * tracker trusts lives under it, so no other user can register segments for
 * unlinking or plant a fake tracker.
 */
export function baseDirectory(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  const parent = runtime !== undefined && runtime !== '' && isOwnDirectory(runtime) ? runtime : tmpdir();
  const uid = process.getuid?.() ?? 0;
  const base = join(parent, `mp-native-${uid}`);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const stat = lstatSync(base);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new Error(
      `@mp/native: refusing to use ${base} for the resource tracker: expected a directory owned by uid ${uid} ` +
        `with mode 0700, got ${stat.isSymbolicLink() ? 'a symlink' : `mode ${(stat.mode & 0o777).toString(8)}, owner ${stat.uid}`}. ` +
        'Remove it (or set XDG_RUNTIME_DIR to a private directory) and retry.',
    );
  }
  return base;
}

function isOwnDirectory(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && stat.uid === process.getuid?.();
  } catch {
    return false;
  }
}
