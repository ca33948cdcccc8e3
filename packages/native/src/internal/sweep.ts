import { readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkSegment } from '../segment.js';
import { isAlive, startTime } from './processes.js';
import {
  allBaseDirectories,
  fallbackCreator,
  isFallback,
  SEGMENT_PREFIX,
  SESSION_NAME,
  TRACKER_FILE,
  unsafeDirectory,
  USER_PREFIX,
} from './session.js';

/*
 * The stale-session sweep. A session normally ends by its tracker (src/entry/tracker.ts).
 * A tracker that was killed (SIGKILL, the OOM killer) before its users leaves the
 * session behind, and its segments in /dev/shm for ever. Each tracker therefore
 * sweeps, when it starts, every session of this user that nobody can be using any
 * more: its creator (named by the directory), every registered user and its tracker
 * are dead. Such a session cannot come back to life: new users join only through a
 * live one. A sweeper claims a session by renaming it (atomic: of two sweepers, or a
 * sweeper and a late tracker, one wins), then unlinks its segments and removes it.
 */

/** `<session>.sweep-<pid>-<start>`: a session being swept, by that process. */
const SWEEPING = /\.sweep-(\d+)-(\d+)$/;

function aliveFromFile(file: string, pidOf: (content: string) => [number, string | undefined]): boolean {
  let content: string;
  try {
    content = readFileSync(file, 'latin1');
  } catch {
    return false;
  }
  const [pid, start] = pidOf(content);
  return isAlive(pid, start);
}

/** Whether any process that could still use the session at `path` is alive. */
function inUse(path: string, entry: string): boolean {
  const creator = SESSION_NAME.exec(entry);
  if (creator !== null && isAlive(Number(creator[1]), creator[2])) return true;
  const sweeper = SWEEPING.exec(entry);
  if (sweeper !== null && isAlive(Number(sweeper[1]), sweeper[2])) return true;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return true; // Gone or unreadable: not ours to touch.
  }
  if (aliveFromFile(join(path, TRACKER_FILE), (content) => {
    const [pid, start] = content.split(' ');
    return [Number(pid), start];
  })) {
    return true;
  }
  return entries.some(
    (name) =>
      name.startsWith(USER_PREFIX) &&
      aliveFromFile(join(path, name), (content) => [Number(name.slice(USER_PREFIX.length)), content]),
  );
}

/** Ends one stale session: claims it, unlinks its segments, removes it. Returns the segments unlinked. */
function sweepSession(base: string, entry: string): string[] {
  const path = join(base, entry);
  if (unsafeDirectory(path) !== undefined || inUse(path, entry)) return [];
  const claimed = join(base, `${(SESSION_NAME.exec(entry) as RegExpExecArray)[0]}.sweep-${process.pid}-${startTime(process.pid) ?? '0'}`);
  try {
    renameSync(path, claimed);
  } catch {
    return []; // Another sweeper, or a tracker, got there first.
  }
  // A process that had inherited the session without being registered may have
  // joined just before the rename: then give it back (its tracker will end it).
  if (inUse(claimed, entry)) {
    try {
      renameSync(claimed, path);
    } catch {
      // The name was taken meanwhile: leave it claimed; the next sweep looks again.
    }
    return [];
  }
  const unlinked: string[] = [];
  for (const name of readdirSync(claimed)) {
    if (!name.startsWith(SEGMENT_PREFIX)) continue;
    const segment = decodeURIComponent(name.slice(SEGMENT_PREFIX.length));
    try {
      if (unlinkSegment(segment)) unlinked.push(segment);
    } catch {
      // Malformed or not ours any more: nothing else to do about it.
    }
  }
  rmSync(claimed, { recursive: true, force: true });
  return unlinked;
}

/**
 * Removes a private base directory (see session.ts) once the process that made it
 * is dead and it holds nothing: nobody else uses it (its threads share it, and they
 * died with it).
 */
export function removeDeadFallback(base: string): void {
  if (!isFallback(base)) return;
  const creator = fallbackCreator(base);
  if (creator !== undefined && isAlive(creator.pid, creator.start)) return;
  try {
    rmdirSync(base); // Fails (ENOTEMPTY) while it holds a session: fine.
  } catch {
    // Not empty, or gone.
  }
}

/**
 * Sweeps every stale session of this user (see the comment above). Never throws.
 *
 * @returns The segments it unlinked.
 */
export function sweepStaleSessions(): string[] {
  const unlinked: string[] = [];
  try {
    for (const base of allBaseDirectories()) {
      let entries: string[];
      try {
        entries = readdirSync(base);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!SESSION_NAME.test(entry)) continue;
        try {
          unlinked.push(...sweepSession(base, entry));
        } catch {
          // One bad session must not stop the sweep of the others.
        }
      }
      removeDeadFallback(base);
    }
  } catch {
    // The sweep is a courtesy: a failure must never stop the tracker.
  }
  return unlinked;
}
