import { isIsolateAlive, notify } from '@mp/core';
import { sleep, type Op } from './ops.js';
import { now } from './timeout.js';
import { me } from './token.js';

/**
 * The futex mutex under {@link Lock} and {@link RLock} (Drepper, "Futexes Are
 * Tricky", mutex 2), on two words of shared memory:
 *
 * - `STATE`: 0 free, 1 locked, 2 locked and maybe someone sleeps on it;
 * - `OWNER`: the `isolateToken()` of the holder (0 while free, and for an
 *   instant after a CAS wins and before the winner writes its token).
 *
 * Uncontended, lock and unlock are one CAS each (no syscall). `OWNER` is
 * written with plain stores, not `Atomics.store` (a full fence, which would
 * double the cost): the holder writes its token after its CAS and clears it
 * before the CAS that frees `STATE`, and every reader of another isolate's
 * token first reads `STATE` with an atomic operation that synchronises with
 * those CASes — so the JS memory model orders the plain stores for it.
 * A contended locker spins briefly — the holder is usually on the other core
 * and about to unlock — then marks the word 2 and sleeps on it. Unlocking a
 * word that was 2 wakes one sleeper.
 *
 * No lost wake-up: a sleeper sleeps only while the word is still 2
 * (`Atomics.wait` compares and sleeps atomically), and it stored that 2
 * itself with an exchange that found the lock taken; the holder's unlock
 * exchange then reads 2 and notifies. All `Atomics` operations are
 * sequentially consistent, so there is no interleaving in which the holder
 * reads 1 after the sleeper wrote 2.
 */

export const STATE = 0;
/**
 * Word 16: 64 bytes after `STATE`, on another cache line (regions of 128
 * bytes are 128-byte aligned). The holder writes it while others spin on
 * `STATE`; on the same line, each of those writes would steal the line from
 * the spinners. Words 17… are free for the lock's own use (RLock's level).
 */
export const OWNER = 16;
/** The bytes a lock built on this mutex allocates. */
export const MUTEX_BYTES = 128;
export const UNLOCKED = 0;
export const LOCKED = 1;
export const CONTENDED = 2;

/**
 * Loads of the word before sleeping. About 1 µs here: long enough to catch a
 * holder that is unlocking on the other core, short enough to cost nothing
 * next to a sleep (5–10 µs for a futex round trip).
 */
export const SPIN_LIMIT = 100;

/**
 * How long a waiter sleeps before it checks whether the lock's owner is still
 * alive. A dead owner is recovered after about this long.
 */
export const OWNER_CHECK_MS = 100;

/** One CAS: takes the lock if it is free. The caller records the owner. */
export function tryLock(words: Int32Array): boolean {
  return Atomics.compareExchange(words, STATE, UNLOCKED, LOCKED) === UNLOCKED;
}

/** The brief spin before sleeping: true if it took the lock. The caller records the owner. */
export function spinLock(words: Int32Array): boolean {
  for (let i = 0; i < SPIN_LIMIT; i++) {
    if (Atomics.load(words, STATE) === UNLOCKED && tryLock(words)) return true;
  }
  return false;
}

/**
 * Takes the lock before `deadline` (a {@link now} time, `Infinity` for none),
 * sleeping while it is held. Call it after {@link spinLock} failed. The caller
 * records the owner on success.
 */
export function* sleepLockOp(words: Int32Array, deadline: number): Op<boolean> {
  for (;;) {
    // Announce a sleeper before sleeping. If the lock was free in the
    // meantime the exchange takes it — as CONTENDED, which costs at most one
    // unneeded notify at unlock.
    if (Atomics.exchange(words, STATE, CONTENDED) === UNLOCKED) return true;
    let slice = OWNER_CHECK_MS;
    if (deadline !== Infinity) {
      // Checked only after a try: a waiter woken at its deadline by the
      // unlock meant for it takes the lock instead of dropping it.
      const left = deadline - now();
      if (left <= 0) return false;
      if (left < slice) slice = left;
    }
    // A whole slice asleep without a wake-up: the lock has not changed hands
    // for a while, so look whether its owner is still alive.
    const result = yield sleep(words, STATE, CONTENDED, slice);
    if (result === 'timed-out' && slice === OWNER_CHECK_MS && recover(words)) return true;
  }
}

/** {@link spinLock}, then {@link sleepLockOp}. */
export function* lockOp(words: Int32Array, deadline: number): Op<boolean> {
  return spinLock(words) || (yield* sleepLockOp(words, deadline));
}

/**
 * Dead-owner recovery: when the recorded owner's isolate has exited (its
 * parent cleared its liveness bit), the waiter that wins a CAS on `OWNER`
 * from that dead token to its own inherits the lock as it is — still locked,
 * now by the waiter. The CAS makes exactly one waiter the heir; an unlock
 * stores 0 in `OWNER` before freeing `STATE`, so a lock that was released
 * meanwhile can never be "recovered".
 */
function recover(words: Int32Array): boolean {
  const owner = Atomics.load(words, OWNER);
  if (owner === 0 || isIsolateAlive(owner)) return false;
  if (Atomics.compareExchange(words, OWNER, owner, me()) !== owner) return false;
  // Keep it locked, and CONTENDED: other waiters may be asleep on it.
  Atomics.store(words, STATE, CONTENDED);
  return true;
}

/** Frees the lock and wakes one sleeper if there may be one. Returns false if it was not locked. */
export function unlock(words: Int32Array): boolean {
  words[OWNER] = 0;
  // One exchange; if the word said CONTENDED, wake one sleeper, which marks
  // it CONTENDED again if others still sleep (see sleepLockOp).
  const previous = Atomics.exchange(words, STATE, UNLOCKED);
  if (previous === CONTENDED) notify(words, STATE, 1);
  return previous !== UNLOCKED;
}
