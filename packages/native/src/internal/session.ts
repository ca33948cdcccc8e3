import { lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { startTime } from './processes.js';

/** The environment variable through which children find their parent's tracker session. */
export const TRACKER_ENV = 'MP_NATIVE_TRACKER';

/** Entry prefixes in a session directory (see src/tracker.ts). */
export const SEGMENT_PREFIX = 'segment~';
export const USER_PREFIX = 'user~';
export const TRACKER_FILE = 'tracker.pid';

/** `session-<pid>-<start time>`, possibly followed by `.closing` or `.sweep-…` (see sweep.ts). */
export const SESSION_NAME = /^session-(\d+)-(\d+)/;

/** The code of the warning emitted when the usual base directory is refused. */
export const UNSAFE_DIRECTORY_WARNING = 'MP_NATIVE_UNSAFE_DIRECTORY';

function ownUid(): number {
  return process.getuid?.() ?? 0;
}

/**
 * Why `path` cannot hold tracker state, or undefined when it can: it must be a
 * real directory (not a symlink), owned by this user, closed to everyone else
 * (mode & 0o077 === 0). Everything the tracker trusts lives in such directories,
 * so no other user can register segments for unlinking, plant a fake tracker, or
 * make our registrations fail.
 */
export function unsafeDirectory(path: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    return `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  const uid = ownUid();
  if (stat.isSymbolicLink()) return 'it is a symbolic link';
  if (!stat.isDirectory()) return 'it is not a directory';
  if (stat.uid !== uid) return `it is owned by uid ${stat.uid}, not ${uid}`;
  if ((stat.mode & 0o077) !== 0) return `its mode is 0${(stat.mode & 0o777).toString(8)}, not 0700`;
  return undefined;
}

/** `$XDG_RUNTIME_DIR` when it is set and safe: ours and writable by nobody else. */
export function runtimeDirectory(): string | undefined {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime === undefined || runtime === '') return undefined;
  try {
    // statSync, not lstatSync: the variable itself is set by this user's login, and
    // may legitimately name a symlink; what matters is who can write in the target.
    const stat = statSync(runtime);
    return stat.isDirectory() && stat.uid === ownUid() && (stat.mode & 0o022) === 0 ? runtime : undefined;
  } catch {
    return undefined;
  }
}

/** `mp-native-<uid>`: the usual base directory's name, under XDG_RUNTIME_DIR or the temporary directory. */
export function baseName(): string {
  return `mp-native-${ownUid()}`;
}

/**
 * `mp-native-<uid>-p`: the prefix of the private base directories made when the
 * usual one is refused, `mp-native-<uid>-p<pid>-<start time>-<random>` in the
 * temporary directory. The pid and start time name the process that made it (so
 * that a sweep can tell whether it is still in use); the random tail makes the
 * name impossible to plant in advance.
 */
export function fallbackPrefix(): string {
  return `${baseName()}-p`;
}

/** The process that made a private base directory, from its name. */
export function fallbackCreator(path: string): { pid: number; start: string } | undefined {
  const match = /^(\d+)-(\d+)-/.exec(basename(path).slice(fallbackPrefix().length));
  return match === null ? undefined : { pid: Number(match[1]), start: match[2] as string };
}

/** Whether `path` is one of the private base directories (see {@link fallbackPrefix}). */
export function isFallback(path: string): boolean {
  return basename(path).startsWith(fallbackPrefix()) && dirname(path) === tmpdir();
}

/** This isolate's private base directory, once one was needed. */
let fallback: string | undefined;
let warned = false;

/**
 * The directory that holds this user's tracker sessions:
 * `$XDG_RUNTIME_DIR/mp-native-<uid>` or `<tmpdir>/mp-native-<uid>`, created with
 * mode 0700 and checked with {@link unsafeDirectory}.
 *
 * The usual path is predictable, so another local user can create it first (or a
 * symlink by that name). Such a directory is refused, with a warning, and this
 * process carries on with a private one made by `mkdtemp` (mode 0700). Children
 * need not find it: they join the session through MP_NATIVE_TRACKER, which names
 * the session inside it. Worker threads of this process find the same one by its
 * name (it starts with this process's pid and start time, and only a directory
 * that passes the checks is taken), so a process keeps one session.
 *
 * @throws Error when no safe directory can be had (the temporary directory is not writable).
 */
export function baseDirectory(): string {
  const base = join(runtimeDirectory() ?? tmpdir(), baseName());
  try {
    mkdirSync(base, { mode: 0o700 });
  } catch {
    // EEXIST (checked below) or cannot create it (then the check says why).
  }
  const problem = unsafeDirectory(base);
  if (problem === undefined) return base;
  if (fallback === undefined || unsafeDirectory(fallback) !== undefined) fallback = privateDirectory();
  if (!warned) {
    warned = true;
    process.emitWarning(
      `Refusing ${base} for the @mp/native resource tracker: ${problem} ` +
        `(expected a directory owned by uid ${ownUid()} with mode 0700, which another user may have planted). ` +
        `Using the private directory ${fallback} instead; remove ${base} or set XDG_RUNTIME_DIR to a private directory to silence this.`,
      { code: UNSAFE_DIRECTORY_WARNING },
    );
  }
  return fallback;
}

/** This process's private base directory: found (made by another of its threads) or made. */
function privateDirectory(): string {
  const parent = tmpdir();
  const prefix = `${fallbackPrefix()}${process.pid}-${startTime(process.pid) ?? '0'}-`;
  try {
    for (const entry of readdirSync(parent)) {
      if (entry.startsWith(prefix) && unsafeDirectory(join(parent, entry)) === undefined) return join(parent, entry);
    }
  } catch {
    // Unreadable: make one.
  }
  let made: string;
  try {
    made = mkdtempSync(join(parent, prefix)); // mkdtemp(3): mode 0700, a name nobody could plant.
  } catch (error) {
    throw new Error(
      `@mp/native: cannot create a private directory for the resource tracker in ${parent} ` +
        `(${(error as Error).message}). Set TMPDIR (or XDG_RUNTIME_DIR) to a directory this user can write.`,
      { cause: error },
    );
  }
  const problem = unsafeDirectory(made);
  if (problem !== undefined) {
    throw new Error(`@mp/native: the private directory ${made} made for the resource tracker is unsafe: ${problem}. Check TMPDIR.`);
  }
  return made;
}

/**
 * Whether an inherited session path (MP_NATIVE_TRACKER) may be joined: it and the
 * base directory that holds it pass {@link unsafeDirectory}. The variable comes
 * from our parent, but the directory it names could have been replaced since.
 */
export function joinableSession(path: string): boolean {
  return unsafeDirectory(path) === undefined && unsafeDirectory(dirname(path)) === undefined;
}

/** Every base directory that may hold sessions of this user: the usual ones and the private ones. */
export function allBaseDirectories(): string[] {
  const bases = new Set<string>();
  const runtime = runtimeDirectory();
  if (runtime !== undefined) bases.add(join(runtime, baseName()));
  bases.add(join(tmpdir(), baseName()));
  try {
    for (const entry of readdirSync(tmpdir())) {
      if (entry.startsWith(fallbackPrefix())) bases.add(join(tmpdir(), entry));
    }
  } catch {
    // Unreadable temporary directory: only the usual bases.
  }
  return [...bases].filter((base) => unsafeDirectory(base) === undefined);
}
