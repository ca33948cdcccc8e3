import { runtime, slot } from './runtime.js';

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
 * Layout of the 16 KiB header: word 0 is the allocator's spin lock, word 1
 * the bump pointer (bytes), words 2–33 the heads of the free lists, one per
 * power-of-two size class; words 64… belong to the isolate registry
 * (`isolates.ts`).
 */
export interface Arena {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  /** True when the memory is mapped into other OS processes too. */
  readonly crossProcess: boolean;
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

function wrap(buffer: SharedArrayBuffer, crossProcess: boolean): Arena {
  return { buffer, words: new Int32Array(buffer, 0, HEADER_BYTES / 4), crossProcess };
}

/** This process's arena, created on first use. */
export function arena(): Arena {
  return slot('arena', () => {
    const created = wrap(new SharedArrayBuffer(arenaBytes()), false);
    Atomics.store(created.words, BUMP, HEADER_BYTES);
    return created;
  });
}

/** This process's arena if it exists yet, without creating it. */
export function peekArena(): Arena | undefined {
  return runtime().slots.get('arena') as Arena | undefined;
}

/** In a thread child: adopt the parent's arena, before anything allocates. */
export function adoptArena(buffer: SharedArrayBuffer): void {
  runtime().slots.set('arena', wrap(buffer, false));
}

function sizeClass(bytes: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.max(bytes, MIN_BLOCK))) - Math.log2(MIN_BLOCK));
}

/**
 * The allocator's lock: allocation is rare next to the operations on the memory
 * it hands out, so a plain spin lock (with a futex sleep) is enough.
 */
function withLock<T>(words: Int32Array, body: () => T): T {
  while (Atomics.compareExchange(words, LOCK, 0, 1) !== 0) Atomics.wait(words, LOCK, 1, 1);
  try {
    return body();
  } finally {
    Atomics.store(words, LOCK, 0);
    Atomics.notify(words, LOCK, 1);
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
  const block = withLock(a.words, () => {
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
  withLock(a.words, () => {
    new Int32Array(a.buffer, offset, 1)[0] = a.words[FREE_LISTS + cls]!;
    a.words[FREE_LISTS + cls] = offset;
  });
}
