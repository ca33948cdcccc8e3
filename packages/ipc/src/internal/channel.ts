import { allocateShared, freeShared, isIsolateAlive, isolateToken, notify, regionAt, type SharedRegion } from '@mp/core';
import { viewsOf, type ArenaViews } from './arena-views.js';
import { expired, remaining } from './deadline.js';
import {
  INLINE_MAX_BYTES,
  KIND_SKIP,
  copyOutOfLine,
  discardItem,
  discardPayload,
  freeOutOfLine,
  outOfLine,
  readPayload,
  writePayload,
  type Incoming,
  type Outgoing,
} from './item-codec.js';
import { Mutex } from '@mp/core/internal';
import { spin, type Op } from './waiting.js';

/**
 * The multi-producer, multi-consumer channel under Queue, SimpleQueue,
 * JoinableQueue and each direction of a Pipe: a stream of length-prefixed
 * records in shared memory.
 *
 * ## Memory
 * A control block of {@link CONTROL_WORDS} words, and a chain of segments of
 * {@link SEGMENT_BYTES} each. Records are written one after the other in the
 * tail segment; when a record does not fit, the producer starts a new segment
 * and leaves a SKIP record pointing at it. The consumer that passes a SKIP
 * recycles the segment it leaves (up to four spares are kept for the
 * producers; others go back to the arena), so a steady flow cycles through a
 * few segments without touching the arena's allocator. Payloads larger
 * than {@link INLINE_MAX_BYTES} travel out of line: the producer copies them
 * into a region of their own *before* taking the lock and writes only
 * (offset, length) in the stream; the consumer copies them out *after*
 * releasing the lock and frees the region. A 16 MiB item therefore never
 * stalls the small items around it.
 *
 * ## Streams: items of any size, and waiting for space
 * An item larger than one part ({@link partBytesFor}: at most 4 MiB and
 * 1/16 of the arena), or one whose region cannot be had now, travels as a
 * *stream*: one record (flag {@link FLAG_STREAM}) points to a stream block
 * of its own, a single-producer single-consumer ring of parts (regions of
 * the arena). The producer publishes the record once it holds the block and
 * the first part, then copies the rest in part by part as space allows,
 * outside any lock; the consumer that takes the record reads the parts as
 * they come, outside any lock, freeing each one, and reassembles the item.
 * So an item larger than the arena flows through, parts of two items never
 * mix (each has its own ring), and the small items around a stream keep
 * flowing. A producer that finds no space (arena exhausted, ring full)
 * sleeps on `SPACE_SEQ`, in slices (space freed elsewhere notifies nobody),
 * until its deadline: a timed-out stream is marked ABORTED and its consumer
 * drops it. Deaths: a consumer finds a dead producer by its token, a
 * producer a dead consumer by its token; a stream whose consumer died after
 * the producer finished is found through the channel's table of streams
 * being read (words {@link STREAMS}…) by the next producer waiting for space.
 *
 * A record: `[header][sequence number][payload, padded to 4 bytes]`. The
 * header (kind, flags, payload length) is never 0, and it is written last,
 * with `Atomics.store`: that store publishes the record. Before publishing, the
 * producer zeroes the header slot that follows its record, so a consumer
 * always finds either a published record or a zero where the next one goes.
 *
 * ## Locks and counters
 * Producers serialise on one {@link Mutex}, consumers on another, each in its
 * own cache line; producers and consumers never wait for each other except
 * when the queue is full or empty. `PUT_COUNT`/`GET_COUNT` (32-bit, wrapping)
 * count records published and taken; the size is their difference. They are
 * the record's own sequence numbers, so any of them can be rebuilt from the
 * records: that is how a lock taken over from a dead owner is repaired (see
 * {@link Channel.recoverProducer} / {@link Channel.recoverConsumer}).
 *
 * ## Sleeping
 * Consumers sleep on `DATA_SEQ`, producers of a full queue on `SPACE_SEQ`. A
 * sleeper first increments the matching `…_WAITERS` word, then reads the
 * sequence word, then re-checks its condition, then sleeps while the sequence
 * word is unchanged. A publisher first publishes, then reads `…_WAITERS`, and
 * only when it is non-zero bumps the sequence word and notifies. Atomics are
 * sequentially consistent, so either the sleeper sees the publication, or the
 * publisher sees the sleeper: no wake-up is lost, and an idle channel costs
 * no notify calls.
 */

/** Bytes per segment: the size of the "ring" a steady flow cycles through. */
export const SEGMENT_BYTES = 64 * 1024;
/** Words in a control block (256 bytes, four 64-byte cache lines). */
export const CONTROL_WORDS = 64;
export const CONTROL_BYTES = CONTROL_WORDS * 4;

// Producer line.
const P_LOCK = 0;
const P_SLEEPERS = 1;
const TAIL_ADDR = 2;
const TAIL_SEG = 3;
const PUT_COUNT = 4;
// Consumer line.
const C_LOCK = 16;
const C_SLEEPERS = 17;
const HEAD_ADDR = 18;
const HEAD_SEG = 19;
const GET_COUNT = 20;
// Shared line.
const DATA_SEQ = 32;
const DATA_WAITERS = 33;
const SPACE_SEQ = 34;
const SPACE_WAITERS = 35;
const RETIRED_SEG = 36;
const MAXSIZE = 37;
/** Recycled segments kept for the producers (words 40…43): a backlog being drained refills them. */
const SPARE_SEGS = 40;
const SPARES = 4;
// JoinableQueue line.
const DONE_COUNT = 48;
const JOIN_WAITERS = 49;
/** Stream blocks being read, by offset (0: free slot): how a stream whose consumer died is found. */
const STREAMS = 50;
const STREAM_SLOTS = 14;

const HEADER_BYTES = 8;
const SKIP_BYTES = 12;
const LENGTH_MASK = 0xff_ffff;
const KIND_SHIFT = 24;
const KIND_MASK = 0x1f;
const FLAG_OUT_OF_LINE = 1 << 29;
const FLAG_SHARED = 1 << 30;
/** The record's payload (offset, length) is a stream block, not the item's bytes. */
const FLAG_STREAM = 1 << 31;

// A stream block: a header, then a ring of parts (offset, capacity).
const S_STATE = 0;
/** Bumped (and notified) at each part written and at each change of state: what the consumer sleeps on. */
const S_SEQ = 1;
const S_PRODUCER = 2;
const S_CONSUMER = 3;
const S_WRITTEN = 4;
const S_READ = 5;
const S_TOTAL_LO = 6;
const S_TOTAL_HI = 7;
const S_RING = 8;
/** Parts whose block the producer took back for a later part (the consumer does not free parts: see #putStream). */
const S_RECLAIMED = 9;
const S_PARTS = 16;
/** The producer is still copying parts in. */
const STREAMING = 0;
/** Every part is written; the producer is done with the block. */
const COMPLETE = 1;
/** The producer gave up (timeout, or it died): whoever reads the block drops it. */
const ABORTED = 2;
/** The consumer died mid-stream; the producer dropped the block. */
const ORPHANED = 3;
/** The smallest part tried when the arena has no room for a larger one. */
const MIN_PART_BYTES = 16 * 1024;
/** The largest part. */
const MAX_PART_BYTES = 4 * 1024 * 1024;
/** A producer waiting for space retries at least this often: space freed elsewhere in the arena notifies nobody. */
export const SPACE_CHECK_MS = 5;
/** A consumer waiting for the next part looks at least this often whether the producer died. */
export const STREAM_CHECK_MS = 20;

/**
 * The largest part of a stream in an arena of `arenaBytes`: a power of two, at
 * most {@link MAX_PART_BYTES} and 1/16 of the arena (so that parts of one
 * size class, reused from the allocator's free lists, serve every stream).
 */
export function partBytesFor(arenaBytes: number): number {
  let part = MAX_PART_BYTES;
  while (part > MIN_PART_BYTES && part * 16 > arenaBytes) part /= 2;
  return part;
}

/** The token of this isolate, read once (core looks it up in a map). */
let myToken = 0;
function me(): number {
  return myToken || (myToken = isolateToken());
}

/** Tries to allocate; undefined when the arena has no room. */
function tryAllocate(bytes: number): SharedRegion | undefined {
  try {
    return allocateShared(bytes, { reclaim: false });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** The payload bytes of an item that is not written in place. */
function payloadOf(item: Outgoing): Uint8Array {
  return item.bytes ?? Buffer.from(item.text ?? '', 'utf8');
}

/** What marks an {@link Incoming} as a stream taken but not yet read (see {@link Channel.take}). */
const STREAM_MARK: unique symbol = Symbol('stream');

/**
 * How long a consumer (or a producer of a full queue) spins before sleeping,
 * at most and at least. Spinning catches a peer's answer on another core in
 * well under a µs, where a sleep and wake-up through the futex costs 5–10 µs
 * each way. But a spinner takes a core the peer may need: when the machine
 * has more runnable threads than cores, spins fail, and each failure halves
 * the budget (each success doubles it), so an oversubscribed channel soon
 * sleeps at once, as it should. A wait that ended within 10 µs after all (a
 * near miss: the peer answers as fast as an idle core does, and spinning
 * longer would have caught it) restores the full budget, so that a channel
 * does not stay stuck below its peer's answer time once the machine is quiet
 * again. Longer waits mean the peer was not running: spinning would only have
 * taken its core.
 */
export const SPIN_MAX_MS = 0.05;
export const SPIN_MIN_MS = 0.002;
/** A near miss: an item that came this soon after a failed spin began. */
const NEAR_MISS_MS = 0.01;

function align4(n: number): number {
  return (n + 3) & ~3;
}

function header(kind: number, length: number, outOfLine: boolean, shared: boolean): number {
  return (kind << KIND_SHIFT) | length | (outOfLine ? FLAG_OUT_OF_LINE : 0) | (shared ? FLAG_SHARED : 0);
}

function kindOf(h: number): number {
  return (h >>> KIND_SHIFT) & KIND_MASK;
}

/**
 * Outcome of a put: written; the bounded queue stayed full (or no space was
 * made for a large item) until the deadline; or the caller's `giveUp` said so
 * while a large item waited for space.
 */
export type PutResult = 'ok' | 'full' | 'stopped';

/** A take gives up: the deadline passed, or the caller's stop condition (EOF, closed) holds. */
export interface TakeOptions {
  readonly deadline: number;
  /** Checked before each sleep; a non-undefined answer ends the take with it. */
  readonly stop?: (() => string | undefined) | undefined;
  /** Sleep at most this long at a time, so that `stop` is re-checked (dead peers notify nobody). */
  readonly slice?: number | undefined;
  /**
   * Looks at the head item under the lock before it is taken; false leaves it
   * there and ends the take with {@link REJECTED}. Must not free anything.
   */
  readonly accept?: ((incoming: Incoming) => boolean) | undefined;
}

/** What a take returns when `accept` refused the head item. */
export const REJECTED = 'rejected';

/** A channel object: a view of one control block. Cheap; any number may exist for one block. */
export class Channel {
  readonly control: SharedRegion;
  readonly words: Int32Array;
  readonly #views: ArenaViews;
  readonly #producers: Mutex;
  readonly #consumers: Mutex;
  readonly #maxsize: number;
  /**
   * Last values of the other side's counter seen by this object. Reading a
   * word the other side keeps writing moves its cache line between cores
   * (~100 ns): a producer re-reads GET_COUNT only when its cached value says
   * "full", a consumer re-reads PUT_COUNT only when its cached value is
   * behind the record it takes.
   */
  #seenGets = 0;
  #seenPuts = 0;
  /** The largest part of a stream (see {@link partBytesFor}). */
  readonly #partBytes: number;
  /** Parts in a stream's ring: enough for an item as large as the arena. */
  readonly #ringSlots: number;
  /** Set by {@link Channel.tryTake} when it left a stream at the head for {@link Channel.take}. */
  #streamAhead = false;
  /** Set by {@link Channel.#write} when it failed for want of a segment, not for a full queue. */
  #noSpace = false;
  /** This object's current spin budget (see {@link SPIN_MAX_MS}). */
  #spinMs = SPIN_MAX_MS;
  /** When the last failed spin of a take began (0: none pending): to detect near misses. */
  #missedSince = 0;

  /**
   * Makes a new channel in `control` (zero-filled, {@link CONTROL_BYTES} long).
   *
   * @param maxsize - items it may hold; 0 for no limit
   */
  static create(control: SharedRegion, maxsize: number): Channel {
    const words = control.int32(0, CONTROL_WORDS);
    const segment = allocateShared(SEGMENT_BYTES, { reclaim: false }).byteOffset;
    words[TAIL_SEG] = segment;
    words[TAIL_ADDR] = segment;
    words[HEAD_SEG] = segment;
    words[HEAD_ADDR] = segment;
    words[MAXSIZE] = maxsize;
    return new Channel(control);
  }

  /** Whether {@link Channel.create} set this control block up (a one-way pipe leaves its second one blank). */
  get created(): boolean {
    return this.words[HEAD_SEG] !== 0;
  }

  /** @param control - the control block of a channel made by {@link Channel.create} */
  constructor(control: SharedRegion) {
    this.control = control;
    this.words = control.int32(0, CONTROL_WORDS);
    this.#views = viewsOf(control.buffer);
    this.#maxsize = this.words[MAXSIZE]!;
    const arenaBytes = control.buffer.byteLength;
    this.#partBytes = partBytesFor(arenaBytes);
    this.#ringSlots = Math.min(1024, Math.max(16, Math.ceil(arenaBytes / this.#partBytes) + 4));
    this.#producers = new Mutex(this.words, P_LOCK, P_SLEEPERS, { recover: () => this.recoverProducer(), selfHeldIsStale: true });
    this.#consumers = new Mutex(this.words, C_LOCK, C_SLEEPERS, { recover: () => this.recoverConsumer(), selfHeldIsStale: true });
  }

  /** Items it may hold; 0 for no limit. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Items published and not yet taken. */
  size(): number {
    const words = this.words;
    this.#producers.repairIfAbandoned();
    this.#consumers.repairIfAbandoned();
    // GET first: puts and takes between the two reads can only make the
    // result larger than the size at the second read, never negative.
    const taken = Atomics.load(words, GET_COUNT);
    return Math.max(0, (Atomics.load(words, PUT_COUNT) - taken) | 0);
  }

  /** True when a bounded channel holds `maxsize` items. */
  isFull(): boolean {
    return this.#maxsize > 0 && this.size() >= this.#maxsize;
  }

  /** True when a record (or a SKIP to one) is published at the head: a hint, read without the lock. */
  hasData(): boolean {
    const words = this.words;
    return Atomics.load(this.#views.i32, Atomics.load(words, HEAD_ADDR) >> 2) !== 0;
  }

  // ---------------------------------------------------------------- producers

  /**
   * Prepares an item for {@link Channel.put}: a large payload is copied out of
   * line now, before any lock is taken. An item larger than one part, or one
   * for which the arena has no room now, is left to {@link Channel.put}, which
   * streams it (see the file comment): it never throws for lack of space.
   */
  prepare(item: Outgoing): Prepared {
    if (item.size <= INLINE_MAX_BYTES || item.size > this.#partBytes) return { item, region: undefined };
    const region = tryAllocate(item.size);
    if (region) region.bytes().set(payloadOf(item));
    return { item, region };
  }

  /** Gives back what {@link Channel.prepare} took, for an item that will not be put (and what its shared objects hold). */
  discard(prepared: Prepared): void {
    if (prepared.region) freeShared(prepared.region);
    discardItem(prepared.item);
  }

  /** True when {@link Channel.put} streams this item (nothing was copied out of line for it). */
  #streamed(prepared: Prepared): boolean {
    return prepared.region === undefined && prepared.item.size > INLINE_MAX_BYTES;
  }

  /**
   * One attempt without sleeping: 'ok', 'full', or undefined when the lock is
   * busy — or the item is streamed, which only {@link Channel.put} does.
   */
  tryPut(prepared: Prepared): PutResult | undefined {
    if (this.#streamed(prepared) || !this.#producers.tryAcquire()) return undefined;
    let written: boolean;
    try {
      written = this.#write(prepared, 0);
    } finally {
      this.#producers.release();
    }
    if (!written) return (this.#noSpace = false), 'full';
    this.#signal(DATA_SEQ, DATA_WAITERS);
    return 'ok';
  }

  /**
   * Puts, waiting for the lock, for room in a bounded channel and, for a
   * streamed item, for space in the arena, until `deadline`. `giveUp` is
   * asked before each sleep for space (a pipe whose reader is gone).
   */
  *put(prepared: Prepared, deadline: number, giveUp?: () => boolean): Op<PutResult> {
    if (this.#streamed(prepared)) return yield* this.#putStream(prepared.item, deadline, giveUp);
    return yield* this.#putRecord(prepared, 0, deadline);
  }

  *#putRecord(prepared: Prepared, flags: number, deadline: number): Op<PutResult> {
    const words = this.words;
    for (;;) {
      yield* this.#producers.acquire();
      let written: boolean;
      try {
        written = this.#write(prepared, flags);
      } finally {
        this.#producers.release();
      }
      if (written) {
        this.#signal(DATA_SEQ, DATA_WAITERS);
        return 'ok';
      }
      if (expired(deadline)) return (this.#noSpace = false), 'full';
      if (this.#noSpace) {
        // No segment to be had: sleep until space is freed (SPACE_SEQ, or a slice for space freed elsewhere).
        this.#noSpace = false;
        Atomics.add(words, SPACE_WAITERS, 1);
        try {
          yield { view: words, index: SPACE_SEQ, value: Atomics.load(words, SPACE_SEQ), timeout: remaining(deadline, SPACE_CHECK_MS) };
        } finally {
          Atomics.sub(words, SPACE_WAITERS, 1);
        }
        continue;
      }
      if (this.#spin(() => (this.isFull() ? undefined : true), deadline)) continue;
      Atomics.add(words, SPACE_WAITERS, 1);
      try {
        const seen = Atomics.load(words, SPACE_SEQ);
        if (!this.isFull()) continue;
        yield { view: words, index: SPACE_SEQ, value: seen, timeout: remaining(deadline) };
      } finally {
        Atomics.sub(words, SPACE_WAITERS, 1);
      }
    }
  }

  /**
   * Streams an item: takes a stream block and the first part (publishing
   * nothing until both are had, so a put that finds no space leaves no
   * trace), publishes the record, then copies the remaining parts in as the
   * consumer frees space. Order matters for the consumer: a part's slot is
   * written before S_WRITTEN counts it, S_WRITTEN before the state says
   * COMPLETE or ABORTED, and each is followed by a bump of S_SEQ.
   */
  *#putStream(item: Outgoing, deadline: number, giveUp: (() => boolean) | undefined): Op<PutResult> {
    const i32 = this.#views.i32;
    const u8 = this.#views.u8;
    const payload = payloadOf(item);
    const total = payload.byteLength;
    const ring = this.#ringSlots;
    const blockBytes = (S_PARTS + 2 * ring) * 4;
    let block: SharedRegion | undefined;
    const start = yield* this.#untilSpace(() => {
      block ??= tryAllocate(blockBytes);
      return block && this.#allocatePart(total);
    }, deadline, giveUp, undefined);
    if (typeof start === 'string') {
      if (block) freeShared(block);
      return start === 'orphaned' ? 'ok' : start; // never 'orphaned': no stream yet
    }
    const side = block!.byteOffset;
    const at = side >> 2;
    i32[at + S_PRODUCER] = me();
    i32[at + S_TOTAL_LO] = total % 2 ** 32;
    i32[at + S_TOTAL_HI] = Math.floor(total / 2 ** 32);
    i32[at + S_RING] = ring;
    let done = 0;
    let written = 0;
    // Copies the next part in and writes its slot (S_WRITTEN is the caller's to store).
    const fill = (part: SharedRegion): void => {
      const length = Math.min(part.byteLength, total - done);
      u8.set(payload.subarray(done, done + length), part.byteOffset);
      done += length;
      const slot = at + S_PARTS + 2 * (written % ring);
      i32[slot] = part.byteOffset;
      i32[slot + 1] = part.byteLength;
      written++;
    };
    fill(start);
    // As many parts as the arena has room for now, before publishing: an item that fits is published
    // complete (its put can no longer fail), and a put that must not wait fails without a trace.
    for (let part; done < total && written < ring && (part = this.#allocatePart(total - done)); ) fill(part);
    i32[at + S_WRITTEN] = written;
    if (done === total) {
      i32[at + S_STATE] = COMPLETE;
    } else if (expired(deadline) || giveUp?.()) {
      this.#dropStream(side);
      return expired(deadline) ? 'full' : 'stopped';
    } else {
      // It does not fit: until a consumer takes it, it keeps only its first part (what a put that times
      // out before then leaves behind), and the space goes back to the items ahead of it.
      for (let k = 1; k < written; k++) freeShared(regionAt(i32[at + S_PARTS + 2 * k]!, i32[at + S_PARTS + 2 * k + 1]!));
      done = Math.min(start.byteLength, total);
      written = 1;
      i32[at + S_WRITTEN] = 1;
    }
    // Publishing the record publishes the block's plain writes above with it.
    const published = yield* this.#putRecord({ item, region: block }, FLAG_STREAM, deadline);
    if (published !== 'ok') {
      this.#dropStream(side);
      return published;
    }
    if (done === total) return 'ok'; // published COMPLETE: the block is the consumer's now
    // The consumer does not free the parts it read: the producer reuses their blocks, so that a stream
    // being read never needs new space (only the blocks it holds), and parts of other items can never
    // take the space it needs to progress. It grows only while its consumer is behind and the arena has room.
    let reclaimed = 0;
    const next = (): SharedRegion | undefined => {
      if (reclaimed < Atomics.load(i32, at + S_READ)) {
        const slot = at + S_PARTS + 2 * (reclaimed % ring);
        const reused = regionAt(i32[slot]!, i32[slot + 1]!);
        // Counted before its slot can be overwritten: a producer killed in between leaks it, never frees it twice.
        Atomics.store(i32, at + S_RECLAIMED, ++reclaimed);
        return reused;
      }
      // More space only for a stream being read (see above).
      return written - reclaimed < ring && Atomics.load(i32, at + S_CONSUMER) !== 0 ? this.#allocatePart(total - done) : undefined;
    };
    while (done < total) {
      const part = yield* this.#untilSpace(next, deadline, giveUp, side);
      if (part === 'orphaned') return 'ok'; // taken, and lost with its consumer
      if (typeof part === 'string') {
        // The consumer (now or later) drops the parts written so far and skips the item.
        Atomics.store(i32, at + S_STATE, ABORTED);
        this.#bumpStream(side);
        return part;
      }
      fill(part);
      Atomics.store(i32, at + S_WRITTEN, written);
      this.#bumpStream(side);
    }
    Atomics.store(i32, at + S_STATE, COMPLETE);
    this.#bumpStream(side);
    return 'ok';
  }

  /** The next part of a stream with `left` bytes to go: as large as allowed and needed, smaller when the arena is short. */
  #allocatePart(left: number): SharedRegion | undefined {
    let size = this.#partBytes;
    while (size / 2 >= left && size > MIN_PART_BYTES) size /= 2;
    for (const floor = Math.min(size, MIN_PART_BYTES); size >= floor; size /= 2) {
      const region = tryAllocate(size);
      if (region) return region;
    }
    return undefined;
  }

  /**
   * Calls `attempt` until it gives something, sleeping on SPACE_SEQ in
   * between (consumers bump it as they free parts; a slice bounds the sleep,
   * for space freed elsewhere). Gives up with 'full' at the deadline,
   * 'stopped' when `giveUp` says so, 'orphaned' when the consumer of stream
   * `side` died (the block is then dropped here).
   */
  *#untilSpace<T>(
    attempt: () => T | undefined,
    deadline: number,
    giveUp: (() => boolean) | undefined,
    side: number | undefined,
  ): Op<T | 'full' | 'stopped' | 'orphaned'> {
    const words = this.words;
    for (;;) {
      let got = attempt();
      if (got !== undefined) return got;
      if (side !== undefined && this.#orphaned(side)) return 'orphaned';
      if (giveUp?.()) return 'stopped';
      if (expired(deadline)) return 'full';
      this.#reclaimStreams();
      // Announce, then re-check, then sleep while SPACE_SEQ is unchanged: a consumer that frees space after
      // the re-check sees the announcement and bumps SPACE_SEQ (see the file comment's "Sleeping").
      Atomics.add(words, SPACE_WAITERS, 1);
      try {
        const seen = Atomics.load(words, SPACE_SEQ);
        got = attempt();
        if (got !== undefined) return got;
        yield { view: words, index: SPACE_SEQ, value: seen, timeout: remaining(deadline, SPACE_CHECK_MS) };
      } finally {
        Atomics.sub(words, SPACE_WAITERS, 1);
      }
    }
  }

  /**
   * True (and the block dropped) when the consumer that took stream `side`
   * died before reading it all. A consumer killed while taking the record
   * (the record still at the head) is no taker: repairing its lock first
   * un-claims the stream (see {@link Channel.recoverConsumer}).
   */
  #orphaned(side: number): boolean {
    const i32 = this.#views.i32;
    const at = side >> 2;
    const consumer = Atomics.load(i32, at + S_CONSUMER);
    if (consumer === 0 || isIsolateAlive(consumer)) return false;
    this.#consumers.repairIfAbandoned();
    if (Atomics.load(i32, at + S_CONSUMER) !== consumer) return false;
    if (Atomics.compareExchange(i32, at + S_STATE, STREAMING, ORPHANED) !== STREAMING) return false;
    this.#unregister(side);
    this.#dropStream(side);
    return true;
  }

  /** Wakes the consumer of stream `side`: a part was written or the state changed. */
  #bumpStream(side: number): void {
    const i32 = this.#views.i32;
    Atomics.add(i32, (side >> 2) + S_SEQ, 1);
    notify(i32, (side >> 2) + S_SEQ);
  }

  /** Frees the parts stream `side` still holds (read or not), then its block. Only its last user may call it. */
  #dropStream(side: number): void {
    const i32 = this.#views.i32;
    const at = side >> 2;
    const ring = i32[at + S_RING]!;
    const written = Atomics.load(i32, at + S_WRITTEN);
    for (let held = Atomics.load(i32, at + S_RECLAIMED); held < written; held++) {
      const slot = at + S_PARTS + 2 * (held % ring);
      freeShared(regionAt(i32[slot]!, i32[slot + 1]!));
    }
    freeShared(regionAt(side, (S_PARTS + 2 * ring) * 4));
  }

  /** Notes that stream `side` is being read (consumer lock held), for {@link Channel.#reclaimStreams}. */
  #register(side: number): void {
    const words = this.words;
    for (let i = 0; i < STREAM_SLOTS; i++) if (Atomics.load(words, STREAMS + i) === side) return;
    for (let i = 0; i < STREAM_SLOTS; i++) if (Atomics.compareExchange(words, STREAMS + i, 0, side) === 0) return;
    // A full table: this stream is dropped only by its producer if its consumer dies (else it leaks).
  }

  #unregister(side: number): void {
    for (let i = 0; i < STREAM_SLOTS; i++) Atomics.compareExchange(this.words, STREAMS + i, side, 0);
  }

  /** True when stream `side` was taken by a consumer that died after its producer was done with it. */
  #abandoned(side: number): boolean {
    const i32 = this.#views.i32;
    const at = side >> 2;
    const state = Atomics.load(i32, at + S_STATE);
    const consumer = Atomics.load(i32, at + S_CONSUMER);
    return (state === COMPLETE || state === ABORTED) && consumer !== 0 && !isIsolateAlive(consumer);
  }

  /**
   * Drops the streams whose consumer died after their producer finished:
   * nobody else would ever free their parts. Run by producers waiting for
   * space. The slot is cleared (CAS) before the block is dropped, so only one
   * thread drops it; the check is repeated after the CAS, in case the slot
   * was reused meanwhile.
   */
  #reclaimStreams(): void {
    const words = this.words;
    let repaired = false;
    for (let i = 0; i < STREAM_SLOTS; i++) {
      const side = Atomics.load(words, STREAMS + i);
      if (side === 0 || !this.#abandoned(side)) continue;
      if (!repaired) {
        // A consumer killed while taking the record un-claims it here (the record is still queued).
        this.#consumers.repairIfAbandoned();
        repaired = true;
        if (!this.#abandoned(side)) continue;
      }
      if (Atomics.compareExchange(words, STREAMS + i, side, 0) !== side) continue;
      if (this.#abandoned(side)) this.#dropStream(side);
      else Atomics.compareExchange(words, STREAMS + i, 0, side);
    }
  }

  /** Writes one record at the tail (with `flags` in its header). Producer lock held. False when the bounded channel is full. */
  #write(prepared: Prepared, flags: number): boolean {
    const words = this.words;
    const seq = words[PUT_COUNT]!;
    if (this.#maxsize > 0 && ((seq - this.#seenGets) | 0) >= this.#maxsize) {
      this.#seenGets = Atomics.load(words, GET_COUNT);
      if (((seq - this.#seenGets) | 0) >= this.#maxsize) return false;
    }
    const { i32, buf } = this.#views;
    const { item, region } = prepared;
    const bound = region ? 8 : item.size;
    let tail = words[TAIL_ADDR]!;
    if (tail + HEADER_BYTES + align4(bound) + SKIP_BYTES > words[TAIL_SEG]! + SEGMENT_BYTES) {
      tail = this.#nextSegment(tail);
      if (tail < 0) {
        this.#noSpace = true;
        return false;
      }
    }
    const at = tail >> 2;
    i32[at + 1] = seq;
    let length: number;
    if (region) {
      i32[at + 2] = region.byteOffset;
      i32[at + 3] = region.byteLength;
      length = 8;
    } else {
      length = writePayload(buf, tail + HEADER_BYTES, item);
    }
    const end = tail + HEADER_BYTES + align4(length);
    // The next record's header slot must read 0 until that record is published.
    i32[end >> 2] = 0;
    // Publication: the record's bytes (plain writes above) are visible to any
    // thread that reads this header with Atomics.load.
    Atomics.store(i32, at, header(item.kind, length, region !== undefined, item.shared) | flags);
    Atomics.store(words, PUT_COUNT, (seq + 1) | 0);
    // Read and written only under the producer lock, whose release publishes it.
    words[TAIL_ADDR] = end;
    return true;
  }

  /**
   * Starts a new segment and leaves a SKIP record at `tail` pointing to it.
   * Order matters for a producer killed half-way (see {@link Channel.recoverProducer}):
   * the new segment's first header slot is zeroed before the SKIP is published,
   * the SKIP is published before the tail moves, and TAIL_ADDR moves before TAIL_SEG.
   *
   * @returns the new tail, or -1 when the arena has no room for a segment
   */
  #nextSegment(tail: number): number {
    const words = this.words;
    const i32 = this.#views.i32;
    const old = words[TAIL_SEG]!;
    let next = 0;
    for (let i = 0; i < SPARES && next === 0; i++) next = Atomics.exchange(words, SPARE_SEGS + i, 0);
    if (next === 0) next = tryAllocate(SEGMENT_BYTES)?.byteOffset ?? 0;
    if (next === 0) return -1; // nothing changed yet: the put waits for space
    i32[next >> 2] = 0;
    i32[(tail >> 2) + 1] = next;
    i32[(tail >> 2) + 2] = old;
    Atomics.store(i32, tail >> 2, header(KIND_SKIP, 8, false, false));
    // TAIL_ADDR first: while TAIL_SEG still names the old segment, a consumer
    // passing the SKIP retires the old segment instead of recycling it (see
    // #passSkip), so a producer killed right here leaves nothing dangling.
    Atomics.store(words, TAIL_ADDR, next);
    Atomics.store(words, TAIL_SEG, next);
    this.#collectRetired();
    return next;
  }

  /** Recycles a segment a consumer passed while the producers' tail was still in it (see {@link Channel.take}). */
  #collectRetired(): void {
    const words = this.words;
    const retired = Atomics.load(words, RETIRED_SEG);
    if (retired !== 0 && retired !== Atomics.load(words, TAIL_SEG)) {
      if (Atomics.compareExchange(words, RETIRED_SEG, retired, 0) === retired) this.#recycle(retired);
    }
  }

  /**
   * Repairs the producer state after its lock was taken from a dead owner.
   * The owner may have died anywhere in {@link Channel.#write} or
   * {@link Channel.#nextSegment}. Whatever it had not published is simply
   * overwritten: the half-written item is lost, nothing else. Whatever it had
   * published (a record, a SKIP) is found at the tail, because the tail moves
   * only after publication: walk over it, rebuilding the tail and `PUT_COUNT`
   * from the records themselves.
   */
  recoverProducer(): void {
    const words = this.words;
    const i32 = this.#views.i32;
    // Killed between moving TAIL_ADDR to a new segment and TAIL_SEG after it:
    // TAIL_ADDR is then that segment's start.
    const segment = words[TAIL_SEG]!;
    if (words[TAIL_ADDR]! < segment || words[TAIL_ADDR]! >= segment + SEGMENT_BYTES) {
      Atomics.store(words, TAIL_SEG, words[TAIL_ADDR]!);
    }
    for (;;) {
      const tail = words[TAIL_ADDR]!;
      const h = Atomics.load(i32, tail >> 2);
      if (h === 0) break;
      if (kindOf(h) === KIND_SKIP) {
        const next = i32[(tail >> 2) + 1]!;
        Atomics.store(words, TAIL_ADDR, next);
        Atomics.store(words, TAIL_SEG, next);
        continue;
      }
      Atomics.store(words, PUT_COUNT, (i32[(tail >> 2) + 1]! + 1) | 0);
      Atomics.store(words, TAIL_ADDR, tail + HEADER_BYTES + align4(h & LENGTH_MASK));
    }
  }

  // ---------------------------------------------------------------- consumers

  /**
   * One attempt without sleeping: the item, or undefined (empty, the lock is
   * busy, or a streamed item is next: only {@link Channel.take} reads those).
   */
  tryTake(): Incoming | undefined {
    if (!this.hasData() || !this.#consumers.tryAcquire()) return undefined;
    let incoming: Incoming | undefined;
    try {
      incoming = this.#read(true);
    } finally {
      this.#consumers.release();
    }
    if (incoming) this.#tookOne();
    return incoming;
  }

  /**
   * The fast path of a take: the item if one is there now, or arrives while
   * this thread spins (see {@link SPIN_MAX_MS}); undefined otherwise, and
   * then the caller goes on with {@link Channel.take}, which sleeps. Spins
   * only when `deadline` allows and `giveUp` (a cheap check, such as "the
   * other end is closed") says no. No generator, no closure per attempt: a
   * ping-pong through a pipe spends most of its time here.
   */
  takeSoon(deadline: number, giveUp?: () => boolean): Incoming | undefined {
    const now = this.tryTake();
    if (now || this.#streamAhead || expired(deadline) || giveUp?.()) return (this.#streamAhead = false), now;
    const budget = Math.min(this.#spinMs, remaining(deadline));
    const start = performance.now();
    for (let i = 1; ; i++) {
      if (this.hasData()) {
        const taken = this.tryTake();
        if (taken) {
          this.#spinMs = Math.min(SPIN_MAX_MS, this.#spinMs * 2);
          return taken;
        }
        if (this.#streamAhead) return (this.#streamAhead = false), undefined;
      }
      if ((i & 31) === 0 && performance.now() - start >= budget) break;
    }
    if (budget === this.#spinMs) this.#spinMs = Math.max(SPIN_MIN_MS, this.#spinMs / 2);
    this.#missedSince = start;
    return undefined;
  }

  /**
   * Takes an item, spinning then sleeping until one is published, the
   * deadline passes (→ undefined) or `stop` answers (→ that answer).
   */
  *take(options: TakeOptions): Op<Incoming | string | undefined> {
    const result = yield* this.#await(options, true);
    return result as Incoming | string | undefined; // never `true` when consuming
  }

  /** Like {@link Channel.take} without taking: true once an item is there. */
  *poll(options: TakeOptions): Op<true | string | undefined> {
    const result = yield* this.#await(options, false);
    return result === undefined ? undefined : typeof result === 'string' ? result : true;
  }

  *#await(options: TakeOptions, consume: boolean): Op<Incoming | true | string | undefined> {
    const words = this.words;
    const { deadline, stop, slice, accept } = options;
    for (;;) {
      if (this.hasData()) {
        yield* this.#consumers.acquire();
        let incoming: Incoming | undefined;
        try {
          incoming = this.#read(false);
          if (incoming !== undefined && consume) {
            if (accept && !accept(incoming)) return REJECTED;
            this.#consume();
          }
        } finally {
          this.#consumers.release();
        }
        if (incoming) {
          this.#nearMiss();
          if (!consume) return true;
          this.#tookOne();
          if (incoming.value !== STREAM_MARK) return incoming;
          // Read outside the lock; once taken, the item is read to its end whatever the deadline.
          const whole = yield* this.#receiveStream(incoming);
          if (whole) return whole;
          // Its producer gave up or died: the item is dropped; take the next one.
        }
        continue;
      }
      const stopped = stop?.();
      if (stopped !== undefined) {
        // The stop condition (EOF) was seen first, then an empty channel: nothing can follow.
        if (!this.hasData()) return stopped;
        continue;
      }
      if (expired(deadline)) return undefined;
      if (this.#spin(() => (this.hasData() ? true : undefined), deadline)) continue;
      Atomics.add(words, DATA_WAITERS, 1);
      try {
        const seen = Atomics.load(words, DATA_SEQ);
        if (this.hasData()) continue;
        yield { view: words, index: DATA_SEQ, value: seen, timeout: remaining(deadline, slice) };
      } finally {
        Atomics.sub(words, DATA_WAITERS, 1);
      }
    }
  }

  /** Spins until `ready` or the budget runs out; adapts the budget to how spinning fares. */
  #spin(ready: () => true | undefined, deadline: number): boolean {
    const budget = Math.min(this.#spinMs, remaining(deadline));
    const start = performance.now();
    if (spin(ready, budget)) {
      this.#spinMs = Math.min(SPIN_MAX_MS, this.#spinMs * 2);
      return true;
    }
    if (budget === this.#spinMs) this.#spinMs = Math.max(SPIN_MIN_MS, this.#spinMs / 2);
    this.#missedSince ||= start;
    return false;
  }

  /** An item came after a failed spin: if soon after, spinning longer would have caught it. */
  #nearMiss(): void {
    if (this.#missedSince !== 0) {
      if (performance.now() - this.#missedSince < NEAR_MISS_MS) this.#spinMs = SPIN_MAX_MS;
      this.#missedSince = 0;
    }
  }

  /**
   * Reads the record at the head without taking it (passing SKIPs). Consumer
   * lock held. Undefined when none is published.
   */
  #read(consume: boolean): Incoming | undefined {
    const { i32, buf, u8 } = this.#views;
    for (;;) {
      const head = this.words[HEAD_ADDR]!;
      const at = head >> 2;
      const h = Atomics.load(i32, at);
      if (h === 0) return undefined;
      const kind = kindOf(h);
      if (kind === KIND_SKIP) {
        this.#passSkip(head);
        continue;
      }
      const shared = (h & FLAG_SHARED) !== 0;
      if (h & FLAG_STREAM) {
        if (consume) {
          this.#streamAhead = true;
          return undefined;
        }
        return { kind, shared, value: STREAM_MARK, bytes: undefined, region: { offset: i32[at + 2]!, length: i32[at + 3]! } };
      }
      const incoming = h & FLAG_OUT_OF_LINE
        ? outOfLine(kind, shared, i32[at + 2]!, i32[at + 3]!)
        : readPayload(buf, u8, kind, shared, head + HEADER_BYTES, h & LENGTH_MASK);
      if (consume) this.#consume();
      return incoming;
    }
  }

  /** Takes the record at the head (just read by {@link Channel.#read}). Consumer lock held. */
  #consume(): void {
    const words = this.words;
    const i32 = this.#views.i32;
    const head = words[HEAD_ADDR]!;
    const seq = i32[(head >> 2) + 1]!;
    const h = Atomics.load(i32, head >> 2);
    const length = h & LENGTH_MASK;
    if (h & FLAG_STREAM) {
      // Claimed before the head moves: a consumer killed in between leaves the record queued, and
      // recoverConsumer un-claims it; one killed after is found dead by the producer or #reclaimStreams.
      const side = i32[(head >> 2) + 2]!;
      Atomics.store(i32, (side >> 2) + S_CONSUMER, me());
      this.#register(side);
    }
    // A consumer can see a record before its producer stored PUT_COUNT: help,
    // so that the size never goes negative and taskDone() never sees more
    // items done than put (both store the same value).
    if (((this.#seenPuts - seq) | 0) <= 0) {
      Atomics.compareExchange(words, PUT_COUNT, seq, (seq + 1) | 0);
      this.#seenPuts = Atomics.load(words, PUT_COUNT);
    }
    Atomics.store(words, GET_COUNT, (seq + 1) | 0);
    Atomics.store(words, HEAD_ADDR, head + HEADER_BYTES + align4(length));
  }

  /**
   * Follows the SKIP at `head` into the next segment and recycles the one left
   * behind — unless the producers' tail may still be in it (a producer between
   * publishing the SKIP and moving the tail, or killed there): then it goes to
   * RETIRED_SEG, for a producer to recycle once its tail has moved on.
   */
  #passSkip(head: number): void {
    const words = this.words;
    const i32 = this.#views.i32;
    const next = i32[(head >> 2) + 1]!;
    const old = i32[(head >> 2) + 2]!;
    Atomics.store(words, HEAD_SEG, next);
    Atomics.store(words, HEAD_ADDR, next);
    if (Atomics.load(words, TAIL_SEG) !== old) {
      this.#recycle(old);
    } else {
      const earlier = Atomics.exchange(words, RETIRED_SEG, old);
      // An earlier retired segment precedes `old`, which the tail has reached: the tail has left it.
      if (earlier !== 0) this.#recycle(earlier);
    }
  }

  #recycle(segment: number): void {
    for (let i = 0; i < SPARES; i++) {
      if (Atomics.compareExchange(this.words, SPARE_SEGS + i, 0, segment) === 0) return;
    }
    freeShared(regionAt(segment, SEGMENT_BYTES));
  }

  /**
   * Repairs the consumer state after its lock was taken from a dead owner. A
   * consumer publishes a take by storing GET_COUNT then HEAD_ADDR; if it died
   * between the two, the record is still at the head and GET_COUNT already
   * counts it: un-count it, so the record is delivered (it never reached the
   * dead consumer's caller).
   */
  recoverConsumer(): void {
    const words = this.words;
    const i32 = this.#views.i32;
    const head = words[HEAD_ADDR]!;
    const h = Atomics.load(i32, head >> 2);
    if (h !== 0 && kindOf(h) !== KIND_SKIP) {
      Atomics.store(words, GET_COUNT, i32[(head >> 2) + 1]!);
      // A stream claimed by the dead consumer but still queued: nobody reads it yet.
      if (h & FLAG_STREAM) {
        const side = i32[(head >> 2) + 2]!;
        this.#unregister(side);
        Atomics.store(i32, (side >> 2) + S_CONSUMER, 0);
      }
    }
  }

  /**
   * Reads stream `side` (taken by this consumer) to its end: copies each
   * part out as it comes and counts it read, which hands its block back to
   * the producer (woken through SPACE_SEQ); frees the blocks at the end. Sleeps on S_SEQ in slices, to notice a
   * producer that died.
   *
   * @returns the item, its payload reassembled; undefined when the producer gave up or died (the stream is dropped)
   */
  *#receiveStream(taken: Incoming): Op<Incoming | undefined> {
    const { i32, u8 } = this.#views;
    const side = taken.region!.offset;
    const at = side >> 2;
    const head = Atomics.load(i32, at + S_TOTAL_LO);
    const total = (head >>> 0) + i32[at + S_TOTAL_HI]! * 2 ** 32;
    const ring = i32[at + S_RING]!;
    // Not Buffer.allocUnsafe: its pool would make a Uint8Array item arrive as a Buffer view.
    const out = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
    let read = Atomics.load(i32, at + S_READ);
    let done = 0;
    for (;;) {
      const seen = Atomics.load(i32, at + S_SEQ);
      if (read < Atomics.load(i32, at + S_WRITTEN)) {
        const slot = at + S_PARTS + 2 * (read % ring);
        const offset = i32[slot]!;
        const capacity = i32[slot + 1]!;
        const length = Math.min(capacity, total - done);
        out.set(u8.subarray(offset, offset + length), done);
        done += length;
        // The block goes back to the producer (see #putStream), which may be waiting for it.
        Atomics.store(i32, at + S_READ, ++read);
        this.#signal(SPACE_SEQ, SPACE_WAITERS);
        continue;
      }
      const state = Atomics.load(i32, at + S_STATE);
      if (state === COMPLETE && read === Atomics.load(i32, at + S_WRITTEN)) {
        this.#unregister(side);
        this.#dropStream(side);
        this.#signal(SPACE_SEQ, SPACE_WAITERS);
        return { kind: taken.kind, shared: taken.shared, value: undefined, bytes: out, region: undefined };
      }
      const producer = Atomics.load(i32, at + S_PRODUCER);
      if (
        state === ABORTED ||
        (state === STREAMING && !isIsolateAlive(producer) && Atomics.compareExchange(i32, at + S_STATE, STREAMING, ABORTED) === STREAMING)
      ) {
        this.#unregister(side);
        this.#dropStream(side);
        this.#signal(SPACE_SEQ, SPACE_WAITERS);
        // Counted as put, never delivered: mark it done, or a JoinableQueue's join() would wait for it for ever.
        this.taskDone();
        return undefined;
      }
      yield { view: i32, index: at + S_SEQ, value: seen, timeout: STREAM_CHECK_MS };
    }
  }

  #tookOne(): void {
    if (this.#maxsize > 0) this.#signal(SPACE_SEQ, SPACE_WAITERS);
  }

  #signal(seq: number, waiters: number): void {
    const words = this.words;
    if (Atomics.load(words, waiters) > 0) {
      Atomics.add(words, seq, 1);
      notify(words, seq);
    }
  }

  /** Wakes every sleeper (consumers and producers) so that they re-check their stop conditions. */
  wakeAll(): void {
    const words = this.words;
    Atomics.add(words, DATA_SEQ, 1);
    notify(words, DATA_SEQ);
    Atomics.add(words, SPACE_SEQ, 1);
    notify(words, SPACE_SEQ);
  }

  // ---------------------------------------------------------------- JoinableQueue

  /** Items put and not yet marked done. */
  unfinished(): number {
    const done = Atomics.load(this.words, DONE_COUNT);
    return (Atomics.load(this.words, PUT_COUNT) - done) | 0;
  }

  /** Marks one item done; false when every item put is already done. */
  taskDone(): boolean {
    const words = this.words;
    for (;;) {
      const done = Atomics.load(words, DONE_COUNT);
      if (((Atomics.load(words, PUT_COUNT) - done) | 0) <= 0) return false;
      if (Atomics.compareExchange(words, DONE_COUNT, done, (done + 1) | 0) === done) break;
    }
    if (Atomics.load(words, JOIN_WAITERS) > 0) notify(words, DONE_COUNT);
    return true;
  }

  /** Waits until every item put is marked done (sleeping on DONE_COUNT, as in {@link Channel}'s sleeping rule). */
  *join(): Op<void> {
    const words = this.words;
    Atomics.add(words, JOIN_WAITERS, 1);
    try {
      for (;;) {
        const done = Atomics.load(words, DONE_COUNT);
        if (((Atomics.load(words, PUT_COUNT) - done) | 0) <= 0) return;
        yield { view: words, index: DONE_COUNT, value: done, timeout: Infinity };
      }
    } finally {
      Atomics.sub(words, JOIN_WAITERS, 1);
    }
  }

  // ---------------------------------------------------------------- reclaiming

  /** The payload bytes of the record at `head` (in line, or out of line), as a view into the arena. */
  #payload(head: number, h: number): Uint8Array {
    const i32 = this.#views.i32;
    if (h & FLAG_OUT_OF_LINE) return regionAt(i32[(head >> 2) + 2]!, i32[(head >> 2) + 3]!).bytes();
    return new Uint8Array(this.control.buffer, head + HEADER_BYTES, h & LENGTH_MASK);
  }

  /**
   * Frees every segment and pending out-of-line payload of a channel nobody
   * else can reach any more. The control block is the caller's.
   */
  freeAll(): void {
    const words = this.words;
    const i32 = this.#views.i32;
    let head = words[HEAD_ADDR]!;
    let segment = words[HEAD_SEG]!;
    for (;;) {
      const h = i32[head >> 2]!;
      if (h === 0) break;
      if (kindOf(h) === KIND_SKIP) {
        const next = i32[(head >> 2) + 1]!;
        freeShared(regionAt(segment, SEGMENT_BYTES));
        segment = next;
        head = next;
        continue;
      }
      if (h & FLAG_STREAM) this.#dropStream(i32[(head >> 2) + 2]!);
      else {
        // Nobody will take the item: the shared objects inside it stop holding their memory.
        if (h & FLAG_SHARED) discardPayload(this.#payload(head, h));
        if (h & FLAG_OUT_OF_LINE) freeOutOfLine(i32[(head >> 2) + 2]!, i32[(head >> 2) + 3]!);
      }
      head += HEADER_BYTES + align4(h & LENGTH_MASK);
    }
    freeShared(regionAt(segment, SEGMENT_BYTES));
    for (const slot of [RETIRED_SEG, SPARE_SEGS, SPARE_SEGS + 1, SPARE_SEGS + 2, SPARE_SEGS + 3]) {
      const extra = words[slot]!;
      if (extra !== 0 && extra !== segment) freeShared(regionAt(extra, SEGMENT_BYTES));
    }
  }
}

/**
 * The length of a streamed item's payload, for a `recvBytes(maxLength)` check
 * made before it is taken; undefined for an item that is not streamed.
 */
export function streamedLength(incoming: Incoming): number | undefined {
  if (incoming.value !== STREAM_MARK) return undefined;
  const { i32 } = viewsOf(regionAt(0, 4).buffer);
  const at = incoming.region!.offset >> 2;
  return (Atomics.load(i32, at + S_TOTAL_LO) >>> 0) + i32[at + S_TOTAL_HI]! * 2 ** 32;
}

/** An item ready for {@link Channel.put}: its payload in line, or already copied out of line. */
export interface Prepared {
  readonly item: Outgoing;
  readonly region: SharedRegion | undefined;
}
