import { processStartTime } from '@mp/native';
import { allocate, arena, free, peekArena } from './arena.js';
import { runtime } from './runtime.js';

/**
 * The isolate registry: every thread or process that uses the arena has a
 * token, a small positive integer, and a bit that says whether it is alive.
 * Locks record their owner's token; a waiter that finds the owner dead can
 * recover instead of waiting forever.
 *
 * "Dead" must be visible to a waiter whose own event loop is blocked (a parent
 * in `lock.acquireSync()` cannot run its `'exit'` handlers), so it is known
 * without anyone's event loop, in three ways:
 *
 * - each token also records the OS process that hosts it (pid and start time,
 *   in a table in the arena): a waiter checks that process directly, so a
 *   killed process child — and every thread inside it — is dead as soon as
 *   the kernel says so, even while it is an unreaped zombie;
 * - an isolate clears its own bit on its way out (`'exit'`, on its own thread);
 * - the parent clears a thread child's bit when it calls `worker.terminate()`,
 *   synchronously, and (as before) when it sees any child exit.
 *
 * What none of these sees: a thread child ended by Node itself (out of memory)
 * while its parent's event loop is blocked; it is recovered once that loop runs.
 */

const NEXT_TOKEN = 64;
const ALIVE_BITMAP = 1024;
/** Tokens are recycled modulo this many; 0 is never a token. */
const MAX_TOKENS = 65_536;
/**
 * The host table comes in chunks of this many tokens, allocated from the arena
 * as tokens reach them (8 KiB each: a program that starts a few hundred
 * children uses one); the header words from here hold their byte offsets.
 */
const HOST_DIRECTORY = 128;
const CHUNK_TOKENS = 1024;
/** Per token: pid, low 32 bits of its start time (0: unknown). */
const HOST_WORDS = 2;
/** How long a "that process is alive" answer is trusted before the kernel is asked again. */
const HOST_CHECK_MS = 10;

const bitmaps = new WeakMap<SharedArrayBuffer, Int32Array>();
const chunks = new WeakMap<SharedArrayBuffer, Map<number, Int32Array>>();

/** The alive bitmap of this process's arena (one view per arena: liveness checks are frequent). */
function bitmap(): Int32Array {
  const { buffer } = arena();
  let view = bitmaps.get(buffer);
  if (!view) {
    view = new Int32Array(buffer, ALIVE_BITMAP * 4, MAX_TOKENS / 32);
    bitmaps.set(buffer, view);
  }
  return view;
}

/** The host-table chunk of `token` if some isolate made it already (never allocates). */
function peekChunk(token: number): Int32Array | undefined {
  const current = peekArena();
  if (!current) return undefined;
  const index = Math.floor(token / CHUNK_TOKENS);
  let views = chunks.get(current.buffer);
  const known = views?.get(index);
  if (known) return known;
  const offset = Atomics.load(current.words, HOST_DIRECTORY + index);
  if (offset === 0) return undefined;
  const view = new Int32Array(current.buffer, offset, CHUNK_TOKENS * HOST_WORDS);
  if (!views) chunks.set(current.buffer, (views = new Map()));
  views.set(index, view);
  return view;
}

/**
 * The host-table chunk of `token`, allocated by the first isolate that needs
 * it. Two isolates may race: the CAS keeps one chunk, the loser frees its
 * block. Allocating takes the allocator's lock, which needs this isolate's
 * token: never call it before that token exists.
 */
function chunk(token: number): Int32Array {
  const existing = peekChunk(token);
  if (existing) return existing;
  const block = allocate(CHUNK_TOKENS * HOST_WORDS * 4);
  const slot = HOST_DIRECTORY + Math.floor(token / CHUNK_TOKENS);
  if (Atomics.compareExchange(arena().words, slot, 0, block.offset) !== 0) free(block.offset, block.capacity);
  return peekChunk(token)!;
}

/** A process's start time (clock ticks since boot, low 32 bits: it fits a word), or undefined once it ended. */
function startTimeOf(pid: number | 'self'): number | undefined {
  const start = processStartTime(pid);
  return start === undefined ? undefined : Number(BigInt.asIntN(32, BigInt(start)));
}

let ownStart: number | undefined;
/** This OS process's start time (clock ticks since boot, low 32 bits; 0 when unknown), read once per isolate. */
export function ownStartTime(): number {
  return (ownStart ??= startTimeOf('self') ?? 0);
}

function record(view: Int32Array, token: number, pid: number, start: number): void {
  const at = (token % CHUNK_TOKENS) * HOST_WORDS;
  Atomics.store(view, at, pid);
  Atomics.store(view, at + 1, start);
}

/** Takes the next token number and marks it alive, after recording its host if the table exists. */
function takeToken(pid: number, start: number): number {
  const words = arena().words;
  let token: number;
  do token = (Atomics.add(words, NEXT_TOKEN, 1) + 1) % MAX_TOKENS;
  while (token === 0);
  // The host first, the bit second: a reader never sees a recycled token alive with its last owner's pid.
  const view = peekChunk(token);
  if (view) record(view, token, pid, start);
  Atomics.or(bitmap(), token >> 5, 1 << (token & 31));
  return token;
}

/** Takes a new token for an isolate of this OS process (a thread child, until {@link hostToken} moves it) and marks it alive. */
export function allocateToken(): number {
  isolateToken(); // ours first: making a chunk of the table needs it
  const token = takeToken(process.pid, ownStartTime());
  record(chunk(token), token, process.pid, ownStartTime());
  return token;
}

/**
 * Records that `token` runs in the OS process `pid` (a process child, just
 * spawned): from now on the token is dead as soon as that process is.
 */
export function hostToken(token: number, pid: number): void {
  if (pid <= 0) return;
  // The child may be gone already (a zombie has no start time): 0 = unknown, pid alone decides.
  record(chunk(token), token, pid, startTimeOf(pid) ?? 0);
}

/** Marks a token dead: its isolate has exited (or is being terminated). */
export function releaseToken(token: number): void {
  Atomics.and(bitmap(), token >> 5, ~(1 << (token & 31)));
}

/**
 * This isolate's token: given by the parent to a child, taken on first use by
 * the main program.
 */
export function isolateToken(): number {
  const rt = runtime();
  let token = rt.slots.get('token') as number | undefined;
  if (token === undefined) {
    token = takeToken(process.pid, ownStartTime());
    rt.slots.set('token', token);
    // Only now may a chunk of the table be allocated (the allocator's lock needs our token).
    record(chunk(token), token, process.pid, ownStartTime());
  }
  return token;
}

/** In a child: adopt the token the parent allocated, and record this OS process as its host. */
export function adoptToken(token: number): void {
  runtime().slots.set('token', token);
  record(chunk(token), token, process.pid, ownStartTime());
}

interface HostCheck {
  readonly start: number;
  alive: boolean;
  at: number;
}

const hostChecks = new Map<number, HostCheck>();

/** Whether OS process `pid`, started at `start` (0: unknown), still runs. Reaped or zombie: dead. */
function isHostAlive(pid: number, start: number): boolean {
  if (pid === process.pid && (start === 0 || start === ownStartTime())) return true;
  const now = performance.now();
  const known = hostChecks.get(pid);
  if (known && known.start === start && (!known.alive || now - known.at < HOST_CHECK_MS)) return known.alive;
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but is not ours — then only its start time can tell.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') alive = false;
  }
  if (alive) {
    const actual = startTimeOf(pid);
    // No /proc at all (not Linux): kill(pid, 0) is all there is.
    if (actual === undefined) alive = startTimeOf('self') === undefined;
    else if (start !== 0 && actual !== start) alive = false;
  }
  hostChecks.set(pid, { start, alive, at: now });
  return alive;
}

/**
 * Whether the isolate holding `token` is still running: its bit is set and
 * the OS process that hosts it is alive. Never needs any event loop to have
 * run, so a waiter blocked in a `…Sync` call sees a child die.
 */
export function isTokenAlive(token: number): boolean {
  if (!Number.isInteger(token) || token <= 0 || token >= MAX_TOKENS) return false;
  if ((Atomics.load(bitmap(), token >> 5) & (1 << (token & 31))) === 0) return false;
  const view = peekChunk(token);
  if (!view) return true;
  const at = (token % CHUNK_TOKENS) * HOST_WORDS;
  const pid = Atomics.load(view, at);
  if (pid === 0) return true;
  return isHostAlive(pid, Atomics.load(view, at + 1));
}
