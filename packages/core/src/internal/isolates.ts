import { arena } from './arena.js';
import { runtime } from './runtime.js';

/**
 * The isolate registry: every thread or process that uses the arena has a
 * token, a small positive integer, and a bit that says whether it is alive.
 * The parent allocates a child's token before starting it and clears the bit
 * when it sees the child exit — even when the child was killed and could not
 * say so itself. Locks record their owner's token; a waiter that finds the
 * owner dead can recover instead of waiting forever.
 */

const NEXT_TOKEN = 64;
const ALIVE_BITMAP = 1024;
/** Tokens are recycled modulo this many; 0 is never a token. */
const MAX_TOKENS = 65_536;

const bitmaps = new WeakMap<SharedArrayBuffer, Int32Array>();

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

/** Takes a new token and marks it alive. */
export function allocateToken(): number {
  const words = arena().words;
  let token: number;
  do token = (Atomics.add(words, NEXT_TOKEN, 1) + 1) % MAX_TOKENS;
  while (token === 0);
  Atomics.or(bitmap(), token >> 5, 1 << (token & 31));
  return token;
}

/** Marks a token dead: its isolate has exited. */
export function releaseToken(token: number): void {
  Atomics.and(bitmap(), token >> 5, ~(1 << (token & 31)));
}

/**
 * This isolate's token: given by the parent to a thread child, taken on first
 * use by the main program (or a process child, which has an arena of its own).
 */
export function isolateToken(): number {
  const rt = runtime();
  let token = rt.slots.get('token') as number | undefined;
  if (token === undefined) {
    token = allocateToken();
    rt.slots.set('token', token);
  }
  return token;
}

/** In a thread child: adopt the token the parent allocated. */
export function adoptToken(token: number): void {
  runtime().slots.set('token', token);
}

/** Whether the isolate holding `token` is still running. */
export function isTokenAlive(token: number): boolean {
  if (!Number.isInteger(token) || token <= 0 || token >= MAX_TOKENS) return false;
  return (Atomics.load(bitmap(), token >> 5) & (1 << (token & 31))) !== 0;
}
