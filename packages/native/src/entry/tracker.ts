/**
 * The resource tracker process: `node dist/tracker.js <session directory>`.
 * Started by src/tracker.ts; see the comment there for the protocol.
 *
 * @module
 */
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isAlive } from '../internal/processes.js';
import { SEGMENT_PREFIX, TRACKER_FILE, USER_PREFIX } from '../internal/session.js';
import { removeDeadFallback, sweepStaleSessions } from '../internal/sweep.js';
import { unlinkSegment } from '../segment.js';

/** How often users are checked: the bound on how long a leaked segment lingers. */
const POLL_MS = 100;
/** A session nobody ever joined (its creator died at once) is given up after this. */
const ORPHAN_MS = 30_000;

const argument = process.argv[2];
if (argument === undefined) {
  console.error('usage: node tracker.js <session directory>');
  process.exit(2);
}
let dir: string = argument;

// Terminal signals target the foreground process group; after setsid() there is
// none, but be explicit: only the end of the last user ends the tracker.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});

const started = Date.now();
let sawUser = false;

/** False when another live tracker owns the session (two started at once). */
function ownsSession(): boolean {
  try {
    const [pid, start] = readFileSync(join(dir, TRACKER_FILE), 'latin1').split(' ');
    return Number(pid) === process.pid || !isAlive(Number(pid), start);
  } catch {
    return true;
  }
}

/** Counts live users in `directory`, forgetting dead ones. */
function liveUsers(directory: string): number {
  let alive = 0;
  for (const entry of readdirSync(directory)) {
    if (!entry.startsWith(USER_PREFIX)) continue;
    sawUser = true;
    const file = join(directory, entry);
    let start: string | undefined;
    try {
      start = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    if (isAlive(Number(entry.slice(USER_PREFIX.length)), start)) alive++;
    else rmSync(file, { force: true }); // Dead: forget it (tests observe this too).
  }
  return alive;
}

/**
 * Ends the session: unlinks its segments, removes it, exits. Returns (without doing
 * anything) if a user joined at the last moment.
 *
 * The directory is first renamed, atomically, so that a late registration either
 * lands before the rename (and is seen by the second look below: then the session
 * goes on) or fails with ENOENT (and the registering process starts a new session).
 * Without this, a segment registered between our last look and the removal would be
 * deleted with the directory, never unlinked.
 */
function finish(): void {
  const closing = `${dir}.closing`;
  try {
    renameSync(dir, closing);
  } catch {
    process.exit(0); // Gone: another tracker of this session ended it.
  }
  if (liveUsers(closing) > 0) {
    try {
      renameSync(closing, dir);
    } catch {
      // A new session took the name meanwhile: go on watching this one where it is.
      dir = closing;
    }
    return;
  }
  for (const entry of readdirSync(closing)) {
    if (!entry.startsWith(SEGMENT_PREFIX)) continue;
    try {
      unlinkSegment(decodeURIComponent(entry.slice(SEGMENT_PREFIX.length)));
    } catch {
      // Already gone, or not ours any more: nothing else to do about it.
    }
  }
  rmSync(closing, { recursive: true, force: true });
  // Every user is dead, so is the process that made a private base directory
  // for this session (it registered itself): remove that directory if now empty.
  removeDeadFallback(dirname(closing));
  process.exit(0);
}

function poll(): void {
  if (!ownsSession()) process.exit(0);
  let alive: number;
  try {
    alive = liveUsers(dir);
  } catch {
    process.exit(0); // The session is gone (ended by another tracker).
  }
  if (alive === 0 && (sawUser || Date.now() - started > ORPHAN_MS)) {
    // Every user is gone: nobody can be using the segments any more (new users
    // join only through a live one, or see finish()).
    finish();
  }
  setTimeout(poll, POLL_MS);
}

// Sessions whose tracker was killed before their users: nobody else will unlink
// their segments (see src/internal/sweep.ts).
sweepStaleSessions();
poll();
