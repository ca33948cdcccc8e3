import { createSegment, isSupported, openSegment, segmentName, trackSegment, unlinkSegment, untrackSegment } from '@mp/native';
import { isolateToken, isTokenAlive } from './isolates.js';
import { runtime, slot } from './runtime.js';
import { notifyWord, waitWord } from './words.js';

/**
 * The shared-memory arena of this OS process: one large `SharedArrayBuffer`
 * that every thread child receives at start, from which every shared object
 * (locks, queues, values) takes its bytes. Because all of them live in one
 * buffer known to every isolate, a shared object is described by plain numbers
 * (offset, length) and can travel inside any serialized message — a queue item
 * or a pipe message — and still arrive over the same memory.
 *
 * The buffer is reserved, not committed: the OS maps pages on first touch, so
 * an unused gigabyte costs nothing.
 *
 * Two kinds: on Linux, with `@mp/native` built, the arena is a POSIX
 * shared-memory segment that process children map by name, so shared objects
 * work under both start methods (waits then go through futex, see
 * `words.ts`). Elsewhere, or with `MP_SHARED_MEMORY=local`, it is a plain
 * `SharedArrayBuffer` that only thread children can see. The main program
 * unlinks its segment at exit; a resource tracker unlinks it if the program is
 * killed, once every process that used it has ended.
 *
 * Layout of the 16 KiB header: word 0 is the allocator's spin lock, word 1
 * the bump pointer (bytes), words 2–33 the heads of the free lists, one per
 * power-of-two size class; words 64… belong to the isolate registry
 * (`isolates.ts`).
 */
export interface Arena {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  /** True when the memory is a segment other OS processes can map. */
  readonly crossProcess: boolean;
  /** The segment, when there is one. */
  readonly segment: Segment | undefined;
}

/** A shared-memory segment, as a process child needs it to map the arena. */
export interface Segment {
  readonly name: string;
  readonly bytes: number;
}

/** How a child finds its parent's arena: the buffer itself (thread), and/or the segment to map (process). */
export interface ArenaDescriptor {
  readonly buffer: SharedArrayBuffer | undefined;
  readonly segment: Segment | undefined;
}

/** Default arena size, reserved virtual memory. Override with `MP_SHARED_MEMORY_BYTES`. */
export const DEFAULT_ARENA_BYTES: number = 1024 * 1024 * 1024;

const LOCK = 0;
const BUMP = 1;
const FREE_LISTS = 2;
const MIN_BLOCK = 16;
const PAGE_BYTES = 4096;
/** First usable byte: after the header. */
const HEADER_BYTES = 16_384;

function arenaBytes(): number {
  const configured = Number(process.env['MP_SHARED_MEMORY_BYTES']);
  return Number.isSafeInteger(configured) && configured >= 1 << 20 ? configured : DEFAULT_ARENA_BYTES;
}

function wrap(buffer: SharedArrayBuffer, segment: Segment | undefined): Arena {
  return { buffer, words: new Int32Array(buffer, 0, HEADER_BYTES / 4), crossProcess: segment !== undefined, segment };
}

/** Whether the arena of a new program is a cross-process segment. */
function wantsSegment(): boolean {
  return process.env['MP_SHARED_MEMORY'] !== 'local' && isSupported();
}

function createSegmentArena(bytes: number): Arena {
  const segment = { name: segmentName(), bytes };
  const buffer = createSegment(segment.name, bytes);
  try {
    trackSegment(segment.name);
  } catch (error) {
    unlinkSegment(segment.name);
    throw error;
  }
  // Children that are still running keep their mapping; only new opens fail,
  // and by now Node has waited for every non-daemon child.
  process.once('exit', () => {
    unlinkSegment(segment.name);
    untrackSegment(segment.name);
  });
  return wrap(buffer, segment);
}

/** This process's arena, created on first use. */
export function arena(): Arena {
  return slot('arena', () => {
    const bytes = arenaBytes();
    const created = wantsSegment() ? createSegmentArena(bytes) : wrap(new SharedArrayBuffer(bytes), undefined);
    Atomics.store(created.words, BUMP, HEADER_BYTES);
    return created;
  });
}

/** What a child needs to reach this arena: `undefined` when it cannot (a process child of a local arena). */
export function describeArena(crossProcess: boolean): ArenaDescriptor | undefined {
  const current = arena();
  if (crossProcess) return current.segment ? { buffer: undefined, segment: current.segment } : undefined;
  return { buffer: current.buffer, segment: current.segment };
}

/** This process's arena if it exists yet, without creating it. */
export function peekArena(): Arena | undefined {
  return runtime().slots.get('arena') as Arena | undefined;
}

/** In a child: adopt the parent's arena, before anything allocates. */
export function adoptArena(descriptor: ArenaDescriptor): void {
  const { segment } = descriptor;
  const buffer = descriptor.buffer ?? openSegment(segment!.name, segment!.bytes);
  runtime().slots.set('arena', wrap(buffer, segment));
}

function sizeClass(bytes: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.max(bytes, MIN_BLOCK))) - Math.log2(MIN_BLOCK));
}

/** How long a waiter sleeps before it checks whether the allocator's lock holder died. */
const OWNER_CHECK_MS = 50;

/**
 * The allocator's lock: allocation is rare next to the operations on the memory
 * it hands out, so a plain lock is enough. The word holds the holder's isolate
 * token; a waiter that finds the holder dead (killed mid-allocation) takes the
 * lock over instead of waiting forever — at worst one block is lost.
 */
function withLock<T>(a: Arena, body: () => T): T {
  const me = isolateToken();
  for (;;) {
    const owner = Atomics.compareExchange(a.words, LOCK, 0, me);
    if (owner === 0) break;
    if (waitWord(a.crossProcess, a.words, LOCK, owner, OWNER_CHECK_MS) === 'timed-out' && !isTokenAlive(owner)) {
      if (Atomics.compareExchange(a.words, LOCK, owner, me) === owner) break;
    }
  }
  try {
    return body();
  } finally {
    Atomics.store(a.words, LOCK, 0);
    notifyWord(a.crossProcess, a.words, LOCK, 1);
  }
}

/**
 * Takes a zero-filled block of at least `bytes` bytes, aligned to its size
 * class (so at least 16 bytes, enough for any typed array).
 *
 * @returns the block's byte offset in the arena
 * @throws RangeError when the arena is exhausted
 */
export function allocate(bytes: number): { offset: number; capacity: number } {
  const a = arena();
  const cls = sizeClass(bytes);
  const capacity = MIN_BLOCK * 2 ** cls;
  const alignment = Math.min(capacity, PAGE_BYTES);
  const block = withLock(a, () => {
    const head = a.words[FREE_LISTS + cls]!;
    if (head !== 0) {
      a.words[FREE_LISTS + cls] = new Int32Array(a.buffer, head, 1)[0]!;
      return { offset: head, reused: true };
    }
    const offset = Math.ceil(a.words[BUMP]! / alignment) * alignment;
    if (offset + capacity > a.buffer.byteLength) return undefined;
    a.words[BUMP] = offset + capacity;
    return { offset, reused: false };
  });
  if (!block) {
    throw new RangeError(
      `Shared memory exhausted: cannot allocate ${bytes} bytes in the ${a.buffer.byteLength}-byte arena. ` +
        'Set MP_SHARED_MEMORY_BYTES to reserve more.',
    );
  }
  // Fresh pages are zero; a reused block holds its previous owner's bytes.
  if (block.reused) new Uint8Array(a.buffer, block.offset, capacity).fill(0);
  return { offset: block.offset, capacity };
}

/** Returns a block to its free list. Only for blocks no other isolate can still hold. */
export function free(offset: number, capacity: number): void {
  const a = arena();
  const cls = sizeClass(capacity);
  withLock(a, () => {
    new Int32Array(a.buffer, offset, 1)[0] = a.words[FREE_LISTS + cls]!;
    a.words[FREE_LISTS + cls] = offset;
  });
}
