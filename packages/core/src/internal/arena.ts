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
 * power-of-two size class, word 34 the bytes in use; words 35–47 belong to
 * the lifetimes of shared objects (`lifetimes.ts`), words 64… to the isolate
 * registry (`isolates.ts`).
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
/** The blocks handed out and not yet freed, in units of {@link MIN_BLOCK} bytes (so a 32-bit word counts up to 32 GiB). */
const IN_USE = 34;
/** First header word of `lifetimes.ts`. */
export const LIFETIME_WORDS = 35;
const MIN_BLOCK = 16;
const PAGE_BYTES = 4096;
/** First usable byte: after the header. */
const HEADER_BYTES = 16_384;

const MIN_ARENA_BYTES = 1 << 20;
/** Offsets are 32-bit signed words in the header and in the objects' own memory: the arena ends below 2 GiB. */
const MAX_ARENA_BYTES = 2 ** 31 - PAGE_BYTES;
const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, kib: 2 ** 10,
  m: 1e6, mb: 1e6, mib: 2 ** 20,
  g: 1e9, gb: 1e9, gib: 2 ** 30,
  t: 1e12, tb: 1e12, tib: 2 ** 40,
};

/**
 * Reads a byte size such as `1073741824`, `512MiB`, `4GB` or `1.5 GiB`
 * (k/M/G/T are decimal, Ki/Mi/Gi/Ti binary, case-insensitive).
 *
 * @throws RangeError naming the variable, what it holds and what it accepts
 */
export function parseBytes(text: string, variable: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_ARENA_BYTES || bytes > 2 ** 31) {
    throw new RangeError(
      `Expected ${variable} to be a size from 1MiB to 2GiB, such as 268435456, 512MiB or 2GB, got ${JSON.stringify(text)}. ` +
        `Fix or unset ${variable} (the default is 1GiB).`,
    );
  }
  return Math.min(bytes, MAX_ARENA_BYTES);
}

function arenaBytes(): number {
  const configured = process.env['MP_SHARED_MEMORY_BYTES'];
  return configured === undefined || configured === '' ? DEFAULT_ARENA_BYTES : parseBytes(configured, 'MP_SHARED_MEMORY_BYTES');
}

function wrap(buffer: SharedArrayBuffer, segment: Segment | undefined): Arena {
  return { buffer, words: new Int32Array(buffer, 0, HEADER_BYTES / 4), crossProcess: segment !== undefined, segment };
}

/** The values `MP_SHARED_MEMORY` accepts: `shared` (the default: a segment where the addon allows) or `local`. */
const MEMORY_MODES = ['shared', 'local'] as const;

/**
 * `MP_SHARED_MEMORY`, checked: `'local'` keeps the arena inside the process.
 *
 * @throws RangeError for any other value than `shared`, `local` or unset
 */
export function memoryMode(): (typeof MEMORY_MODES)[number] {
  const value = process.env['MP_SHARED_MEMORY'];
  if (value === undefined || value === '') return 'shared';
  if ((MEMORY_MODES as readonly string[]).includes(value)) return value as (typeof MEMORY_MODES)[number];
  throw new RangeError(
    `Expected MP_SHARED_MEMORY to be ${MEMORY_MODES.map((m) => `'${m}'`).join(' or ')}, got ${JSON.stringify(value)}. ` +
      "Unset it for the default ('shared': a segment that 'process' children map), or set 'local'.",
  );
}

/** Whether the arena of a new program is a cross-process segment. */
function wantsSegment(): boolean {
  return memoryMode() !== 'local' && isSupported();
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
/** Runs `body` under the allocator's lock (short, and never allocating: the lock is not reentrant). */
export function withArenaLock<T>(body: () => T): T {
  return withLock(arena(), body);
}

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
      `Shared memory exhausted: cannot allocate ${bytes} bytes in the ${a.buffer.byteLength}-byte arena ` +
        `(${Atomics.load(a.words, IN_USE) * MIN_BLOCK} bytes in use by live shared objects). ` +
        'Set MP_SHARED_MEMORY_BYTES to reserve more (e.g. MP_SHARED_MEMORY_BYTES=4GiB), or close() what you no longer use.',
    );
  }
  Atomics.add(a.words, IN_USE, capacity / MIN_BLOCK);
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
  Atomics.sub(a.words, IN_USE, 2 ** cls);
}

/** Bytes of the arena's blocks in use, and its size. */
export function arenaUsage(): { inUse: number; bytes: number } {
  const a = arena();
  return { inUse: Atomics.load(a.words, IN_USE) * MIN_BLOCK, bytes: a.buffer.byteLength };
}
