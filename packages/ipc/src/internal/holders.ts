import { isIsolateAlive, isolateToken, waitSync } from '@mp/core';
import { Mutex } from '@mp/core/internal';
import { runSync } from './waiting.js';

/**
 * Who holds an end of a pipe: the bookkeeping behind "the peer sees EOF only
 * when every copy of the other end is closed, and a child's copy closes when
 * the child exits".
 *
 * Each end has a table of (isolate token, open copies) slots. A copy revived
 * in an isolate counts in that isolate's slot; a copy that is travelling (sent
 * to a child, inside a queue item or a message) counts in the sender's slot
 * until it is revived, so the sender may close its own copy right after
 * `start()`. A slot whose isolate is dead counts as closed: that is how a
 * killed child's copies close, since a killed child cannot run any code.
 * Copies beyond the table's {@link SLOTS} isolates count in UNTRACKED and
 * close only explicitly (or when garbage-collected, or at their isolate's exit).
 *
 * Writers (open, close, move) take a {@link Mutex}; readers (the EOF check on
 * every empty `recv`, the broken-pipe check on every `send`) never block:
 * writers make VERSION odd while they change the table and even again after,
 * and a reader retries until it read the table between two equal, even
 * versions (a seqlock). A writer that died mid-change leaves VERSION odd: a
 * reader then takes the lock over from it, which repairs VERSION.
 */

/** Words per end: a header line, then the slots. */
export const HOLDER_WORDS = 64;
const LOCK = 0;
const SLEEPERS = 1;
const VERSION = 2;
const UNTRACKED = 3;
/** Sum of all counts, dead isolates' included: 0 means closed, without looking at any isolate. */
const TOTAL = 4;
/** One past the highest slot ever used: readers scan no further. */
const HIGH = 5;
const FIRST_SLOT = 8;
/** Isolates tracked per end. */
export const SLOTS = (HOLDER_WORDS - FIRST_SLOT) / 2;

/** Where a copy is counted: an isolate's slot, or UNTRACKED. */
export type HolderToken = number;
/** The token under which copies that found no free slot are counted. */
export const UNTRACKED_TOKEN: HolderToken = 0;

/** The holder table of one end of a pipe. */
export class Holders {
  readonly #words: Int32Array;
  readonly #mutex: Mutex;

  /** @param words - {@link HOLDER_WORDS} zero-filled words for a new end, or those of an existing one */
  constructor(words: Int32Array) {
    this.#words = words;
    this.#mutex = new Mutex(words, LOCK, SLEEPERS, {
      selfHeldIsStale: true,
      recover: () => {
        // A writer died mid-change: each slot update is a single store, so the
        // table is consistent; only the version may be left odd.
        if (Atomics.load(words, VERSION) & 1) Atomics.add(words, VERSION, 1);
      },
    });
  }

  /**
   * Counts one more copy for this isolate (or UNTRACKED when the table is full).
   *
   * @returns where it was counted, for {@link Holders.remove}
   */
  add(): HolderToken {
    return this.#write(() => this.#change(isolateToken(), 1));
  }

  /** Counts one copy fewer under `token`. */
  remove(token: HolderToken): void {
    this.#write(() => void this.#change(token, -1));
  }

  /**
   * A travelling copy arrived here: count it for this isolate, then stop
   * counting it for its sender — in that order and in one critical section,
   * so that no reader sees the copy counted nowhere.
   *
   * @returns where it is counted now
   */
  arrive(from: HolderToken): HolderToken {
    return this.#write(() => {
      const here = this.#change(isolateToken(), 1);
      this.#change(from, -1);
      return here;
    });
  }

  /** True when no copy is counted at all (every copy was closed explicitly). One read, never blocks. */
  none(): boolean {
    return Atomics.load(this.#words, TOTAL) === 0;
  }

  /** Open copies in live isolates (plus untracked ones). Never blocks. */
  open(): number {
    const words = this.#words;
    for (;;) {
      const before = Atomics.load(words, VERSION);
      if (before & 1) {
        // A writer is mid-change (for nanoseconds), or died there: taking the
        // lock waits for the first and repairs the second.
        if (this.#mutex.tryAcquire()) this.#mutex.release();
        else waitSync(words, VERSION, before, 1);
        continue;
      }
      if (Atomics.load(words, TOTAL) === 0) return 0;
      let open = Atomics.load(words, UNTRACKED);
      const high = Atomics.load(words, HIGH);
      for (let slot = FIRST_SLOT; slot < high; slot += 2) {
        const token = Atomics.load(words, slot);
        if (token !== 0 && isIsolateAlive(token)) open += Atomics.load(words, slot + 1);
      }
      if (Atomics.load(words, VERSION) === before) return open;
    }
  }

  #write<T>(change: () => T): T {
    const words = this.#words;
    runSync(this.#mutex.acquire());
    Atomics.add(words, VERSION, 1);
    try {
      return change();
    } finally {
      Atomics.add(words, VERSION, 1);
      this.#mutex.release();
    }
  }

  /** Adds `delta` to `token`'s count, making or freeing its slot. Lock held. */
  #change(token: HolderToken, delta: number): HolderToken {
    const words = this.#words;
    if (token === UNTRACKED_TOKEN) {
      this.#count(UNTRACKED, delta);
      return UNTRACKED_TOKEN;
    }
    let free = -1;
    for (let slot = FIRST_SLOT; slot < HOLDER_WORDS; slot += 2) {
      const owner = words[slot]!;
      if (owner === token) {
        if (this.#count(slot + 1, delta) === 0) Atomics.store(words, slot, 0);
        return token;
      }
      if (free < 0 && (owner === 0 || !isIsolateAlive(owner))) free = slot;
    }
    if (delta <= 0) return token; // nothing counted there (a dead isolate's slot was reused)
    if (free < 0) return this.#change(UNTRACKED_TOKEN, delta);
    // Reusing a dead isolate's slot drops its copies, which count as closed already.
    this.#count(free + 1, -words[free + 1]!);
    Atomics.store(words, free, token);
    this.#count(free + 1, delta);
    if (free + 2 > words[HIGH]!) Atomics.store(words, HIGH, free + 2);
    return token;
  }

  /** Adds `delta` to the count at `index` (never below 0), keeping TOTAL in step. Lock held. */
  #count(index: number, delta: number): number {
    const words = this.#words;
    const before = words[index]!;
    const after = Math.max(0, before + delta);
    Atomics.store(words, index, after);
    Atomics.add(words, TOTAL, after - before);
    return after;
  }
}
