import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addon } from './internal/addon.js';
import { describe } from './internal/describe.js';
import { isAlive, startTime } from './internal/processes.js';
import { baseDirectory, joinableSession, SEGMENT_PREFIX, TRACKER_ENV, TRACKER_FILE, USER_PREFIX } from './internal/session.js';

/*
 * How tracking works. A *session* is a directory, private to this user, shared by
 * a process and the children it starts (they inherit its path in the environment
 * variable MP_NATIVE_TRACKER). Registering is writing a file in it, synchronously:
 *
 *   segment~<encoded name>   a segment to unlink when the session ends
 *   user~<pid>               a process of the session (content: its start time)
 *   tracker.pid              "<pid> <start time>" of the tracker process
 *
 * The tracker (src/entry/tracker.ts) is a small Node.js process in a session of
 * its own (setsid), so that killing its creator, or the creator's whole process
 * group, leaves it running. It polls the directory; once every registered user is
 * dead it unlinks every registered segment, removes the directory and exits.
 *
 * Why files rather than messages on a socket: a registration is complete when the
 * call returns (a message written just before a SIGKILL can be lost), it survives a
 * restart of the tracker, and it needs no connection set-up in every process.
 */

let session: string | undefined;
let registeredSelf: string | undefined;

/** The session directory, created on first use. */
function sessionDirectory(create: boolean): string | undefined {
  const inherited = process.env[TRACKER_ENV];
  // Joined only if it, and the base directory holding it, are still private to
  // us (see joinableSession); else this process starts a session of its own.
  if (inherited !== undefined && inherited !== '' && (inherited === session ? existsSync(inherited) : joinableSession(inherited))) {
    session = inherited;
    return session;
  }
  if (session !== undefined && existsSync(session)) return session;
  if (!create) return undefined;
  // One per process, named after it (pid and start time), so that the main thread
  // and worker threads of a process, whose process.env copies may not have seen
  // each other's changes, land in the same session.
  const dir = join(baseDirectory(), `session-${process.pid}-${startTime(process.pid) ?? '0'}`);
  try {
    // Not recursive: the base was just checked, and must not be re-created unchecked.
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // Made by another thread of ours.
  }
  session = dir;
  // Children started from now on inherit the session.
  process.env[TRACKER_ENV] = dir;
  return dir;
}

function trackerScript(): string {
  // src/tracker.ts is bundled into dist/index.js (or a chunk beside it); the entry
  // is dist/tracker.js.
  return fileURLToPath(new URL('./tracker.js', import.meta.url));
}

/** Starts the session's tracker unless it already runs. */
function ensureTracker(dir: string): void {
  const file = join(dir, TRACKER_FILE);
  try {
    const [pid, start] = readFileSync(file, 'latin1').split(' ');
    if (isAlive(Number(pid), start)) return;
  } catch {
    // Not started yet.
  }
  const env = { ...process.env };
  // The tracker is plain JavaScript: no loaders, no inspector port of ours.
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [trackerScript(), dir], {
    detached: true, // setsid(): out of our process group and session.
    stdio: 'ignore',
    cwd: '/',
    env,
  });
  child.unref();
  if (child.pid === undefined) {
    // spawn reports its own failures asynchronously; this one is only a symptom.
    child.on('error', () => {});
    throw new Error(`@mp/native: could not start the resource tracker (${process.execPath} ${trackerScript()})`);
  }
  writeFileSync(file, `${child.pid} ${startTime(child.pid) ?? ''}`, { mode: 0o600 });
}

function register(dir: string, pid: number): boolean {
  const start = startTime(pid);
  if (start === undefined) return false;
  writeFileSync(join(dir, `${USER_PREFIX}${pid}`), start, { mode: 0o600 });
  return true;
}

function registerSelf(dir: string): void {
  if (registeredSelf === dir) return;
  register(dir, process.pid);
  registeredSelf = dir;
}

/**
 * Runs `register` in the session, then makes sure its tracker runs. A session that
 * ends meanwhile (its tracker renames it away before removing it, see
 * src/entry/tracker.ts) makes the writes fail with ENOENT: then start a new session
 * and register there.
 */
function inSession(register: (dir: string) => void): void {
  for (let attempt = 0; ; attempt++) {
    const dir = sessionDirectory(true) as string;
    try {
      register(dir);
      ensureTracker(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw error;
      session = undefined;
      registeredSelf = undefined;
      delete process.env[TRACKER_ENV];
    }
  }
}

function checkPid(pid: unknown): asserts pid is number {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new (typeof pid === 'number' ? RangeError : TypeError)(
      `Expected \`pid\` of trackUser() to be a positive integer process id, got ${describe(pid)}`,
    );
  }
}

function segmentFile(dir: string, name: string): string {
  return join(dir, SEGMENT_PREFIX + encodeURIComponent(name));
}

function checkName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || !name.startsWith('/') || name.length < 2) {
    throw new TypeError(`Expected \`name\` of ${where} to be a segment name like '/mp-1234-0a1b2c3d', got ${describe(name)}`);
  }
}

/**
 * Registers a segment with the resource tracker, which unlinks it once every
 * process of this program that registered as a user (see {@link trackUser}) has
 * ended — normally or not: also after `SIGKILL`, a crash or an OOM kill. The
 * calling process registers itself as a user.
 *
 * The tracker is a small Node.js process started on first use, detached from the
 * caller's process group, shared with the children the caller starts afterwards
 * (through the `MP_NATIVE_TRACKER` environment variable, which this sets). The
 * registration is complete when the call returns. Call {@link untrackSegment} after
 * unlinking a segment normally.
 *
 * Sessions live in `mp-native-<uid>` under `XDG_RUNTIME_DIR` or the temporary
 * directory, which must be a real directory of this user with mode 0700; one that
 * another user planted is refused with a warning (`MP_NATIVE_UNSAFE_DIRECTORY`) and
 * a private directory made by `mkdtemp` is used instead. A tracker, when it starts,
 * also unlinks the segments of this user's sessions whose tracker was killed before
 * all their processes ended.
 *
 * Python: `multiprocessing.resource_tracker.register(name, 'shared_memory')`.
 *
 * @param name - The segment's name, as given to {@link createSegment}.
 * @throws TypeError on a malformed name.
 * @throws Error when the tracker cannot be started, or no private directory can be made for it (the temporary directory is not writable).
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { createSegment, segmentName, trackSegment, unlinkSegment, untrackSegment } from '@mp/native';
 * const name = segmentName();
 * const memory = createSegment(name, 1 << 20);
 * trackSegment(name); // unlinked even if this process is killed
 * // … at the end, normally:
 * unlinkSegment(name);
 * untrackSegment(name);
 * ```
 */
export function trackSegment(name: string): void {
  checkName(name, 'trackSegment()');
  addon(); // The tracker needs the addon too: fail here, clearly, if it is missing.
  inSession((dir) => {
    registerSelf(dir);
    writeFileSync(segmentFile(dir, name), '', { mode: 0o600 });
  });
}

/**
 * Tells the resource tracker to forget a segment: call it after unlinking the
 * segment yourself. Does nothing when the segment was not tracked.
 *
 * Python: `multiprocessing.resource_tracker.unregister(name, 'shared_memory')`.
 *
 * @param name - The segment's name.
 * @throws TypeError on a malformed name.
 *
 * @example
 * ```ts
 * unlinkSegment(name);
 * untrackSegment(name);
 * ```
 */
export function untrackSegment(name: string): void {
  checkName(name, 'untrackSegment()');
  const dir = sessionDirectory(false);
  if (dir !== undefined) rmSync(segmentFile(dir, name), { force: true });
}

/**
 * Registers a process as a user of this program's tracked segments: the tracker
 * unlinks them only once every user has ended. A parent calls it with a child's pid
 * right after starting the child, so that the segments outlive the parent while the
 * child runs; a process that inherited the session may call it for itself.
 *
 * Processes are recognised by pid and start time, so a reused pid does not keep
 * segments alive. A pid that has already exited is ignored.
 *
 * Python: none (CPython's tracker counts the processes that inherited its pipe).
 *
 * @param pid - The process id; defaults to this process.
 * @throws TypeError / RangeError on a bad pid.
 * @throws Error when the tracker cannot be started, or no private directory can be made for it (the temporary directory is not writable).
 * @throws {@link NativeUnsupportedError} off Linux; {@link NativeNotBuiltError} when the addon is not built.
 *
 * @example
 * ```ts
 * import { fork } from 'node:child_process';
 * const child = fork('./child.js', [name]);
 * trackUser(child.pid!);
 * ```
 */
export function trackUser(pid: number = process.pid): void {
  checkPid(pid);
  addon();
  inSession((dir) => {
    registerSelf(dir);
    if (pid !== process.pid) register(dir, pid);
  });
}

/**
 * The tracker session of this process: the directory children find through the
 * `MP_NATIVE_TRACKER` environment variable. Pass `{ [TRACKER_ENV]: trackerSession() }`
 * in the environment of a child started with a custom `env`, so that it joins.
 *
 * Python: none.
 *
 * @returns The session directory, or `undefined` before the first registration.
 *
 * @example
 * ```ts
 * fork('./child.js', { env: { ...myEnv, MP_NATIVE_TRACKER: trackerSession() ?? '' } });
 * ```
 */
export function trackerSession(): string | undefined {
  return sessionDirectory(false);
}
