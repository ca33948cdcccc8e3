import { inspect } from 'node:util';
import { StartMethodError } from './errors.js';
import { unsupportedReason } from '@mp/native';
import { arena, free, memoryMode, peekArena } from './internal/arena.js';
import { allocateReclaiming, createLifetime, dropLifetime, receiveLifetime, releaseHolder, sendLifetime } from './internal/lifetimes.js';
import { describe } from './internal/describe.js';
import { checkOptions } from './internal/options.js';
import { isolateToken as tokenOfThisIsolate, isTokenAlive } from './internal/isolates.js';
import { keepAlive } from './internal/keep-alive.js';
import { notifyWord, waitWord, waitWordAsync } from './internal/words.js';
import { defineShared, share, type ShareContext, type Shareable, type SharedState } from './shareable.js';

/**
 * The shared-memory substrate the other `@mp` packages build on: blocks of
 * memory visible to every thread (and, later, every process) of the program,
 * and wait/notify on a 32-bit word in them.
 *
 * @module
 */

const TYPE = '@mp/core.SharedRegion';

/**
 * @internal Throws the error a shared region would throw on its way to a
 * destination that cannot see the arena, without sharing anything: for
 * objects that must refuse before they count a copy.
 *
 * @throws {@link StartMethodError} for a `'process'` destination of a process-local arena
 */
export function assertCanShare(context: ShareContext): void {
  if (context.crossProcess && !arena().crossProcess) throw new StartMethodError(whyNotCrossProcess());
}

/**
 * @internal Whether shared objects can reach a destination: always for a
 * thread, and for another OS process when the arena is a segment.
 */
export function canShare(crossProcess: boolean): boolean {
  return !crossProcess || arena().crossProcess;
}

/** Why this program's shared memory is local to its OS process: the variable that asked for it, or the addon. */
function whyNotCrossProcess(): string {
  const what = "Shared memory (a Lock, Event, Queue, Value…) cannot be passed to a child started with the 'process' start method here";
  const instead = "Or use the 'thread' start method for this child, or send plain data.";
  if (memoryMode() === 'local') {
    return `${what}: MP_SHARED_MEMORY=local keeps this program's shared memory inside its own OS process. Unset MP_SHARED_MEMORY to share it with process children. ${instead}`;
  }
  return `${what}: the @mp/native addon, which maps shared memory into other processes, is not available. ${unsupportedReason() ?? ''} ${instead}`;
}

interface RegionState {
  readonly offset: number;
  readonly byteLength: number;
  /** The region's lifetime record (see `internal/lifetimes.ts`), or 0 for a region whose lifetime the user manages. */
  readonly lifetime: number;
}

/**
 * A view made by a region keeps the region — and so its block — alive: a view
 * outliving its region object must never see its bytes reused.
 */
const owners = new WeakMap<object, SharedRegion>();

function keep<V extends object>(view: V, region: SharedRegion): V {
  owners.set(view, region);
  return view;
}

const lifetimes = new WeakMap<SharedRegion, number>();

/**
 * A block of shared memory. Send it (or an object holding it) to a child and
 * the child's copy views the same bytes.
 *
 * Its memory comes back by itself: once no thread or process holds the
 * region any more — every copy was garbage-collected, released, or died with
 * its isolate — the block is freed (reference counts across isolates). Blocks
 * allocated with `{ reclaim: false }` are the exception: free them with
 * {@link freeShared}.
 *
 * Python: a block of `multiprocessing.heap`, as used by `sharedctypes`.
 *
 * @example
 * ```ts
 * const region = allocateShared(8);
 * const words = region.int32();
 * Atomics.add(words, 0, 1);
 * ```
 */
export class SharedRegion implements Shareable {
  static {
    defineShared<RegionState>(TYPE, (state) => {
      const region = new SharedRegion(state.offset, state.byteLength);
      if (state.lifetime !== 0) {
        lifetimes.set(region, state.lifetime);
        receiveLifetime(state.lifetime, region);
      }
      return region;
    }, (state) => {
      if (state.lifetime !== 0) dropLifetime(state.lifetime);
    });
  }

  /** The arena this region is part of. */
  readonly buffer: SharedArrayBuffer;
  /** Where the region starts in {@link SharedRegion.buffer}. */
  readonly byteOffset: number;
  /** The region's size in bytes. */
  readonly byteLength: number;

  /** @internal Use {@link allocateShared}. */
  constructor(byteOffset: number, byteLength: number) {
    this.buffer = arena().buffer;
    this.byteOffset = byteOffset;
    this.byteLength = byteLength;
  }

  /** An `Int32Array` over the region (or `length` words of it from word `start`), for `Atomics`. */
  int32(start = 0, length: number = (this.byteLength >> 2) - start): Int32Array {
    return keep(new Int32Array(this.buffer, this.byteOffset + start * 4, length), this);
  }

  /** A `Uint8Array` over the region's bytes. */
  bytes(): Uint8Array {
    return keep(new Uint8Array(this.buffer, this.byteOffset, this.byteLength), this);
  }

  /**
   * A repr: `<SharedRegion offset=16384 length=8>`.
   *
   * @example
   * ```ts
   * console.log(String(allocateShared(8))); // <SharedRegion offset=… length=8>
   * ```
   */
  toString(): string {
    return `<SharedRegion offset=${this.byteOffset} length=${this.byteLength}>`;
  }

  /** `util.inspect` shows the repr too. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** @internal The shared-object protocol: the copy in flight holds the memory until it arrives. */
  [share](context: ShareContext): SharedState {
    assertCanShare(context);
    const lifetime = lifetimes.get(this) ?? 0;
    if (lifetime !== 0) sendLifetime(lifetime);
    const state: RegionState = { offset: this.byteOffset, byteLength: this.byteLength, lifetime };
    return { type: TYPE, module: import.meta.url, state };
  }
}

/** Options of {@link allocateShared}. */
export interface AllocateOptions {
  /**
   * Free the block once no thread or process holds the region any more.
   * Pass `false` for blocks whose lifetime you manage with {@link freeShared}
   * (e.g. a buffer handed from producer to consumer by offset).
   * @defaultValue `true`
   */
  reclaim?: boolean;
  /**
   * @internal What else to free with the block: the id of a routine from
   * `defineRelease()` of `@mp/core/internal` (a queue frees its segments).
   */
  release?: number;
}

/**
 * Allocates a zero-filled block of shared memory.
 *
 * @param byteLength - the size in bytes (a positive integer)
 * @returns the region, aligned to at least 16 bytes
 * @throws RangeError when `byteLength` is not a positive integer, or the arena is exhausted
 *   (after garbage that held arena memory was collected)
 * @example
 * ```ts
 * const flag = allocateShared(4).int32();
 * ```
 */
export function allocateShared(byteLength: number, options: AllocateOptions = {}): SharedRegion {
  if (!Number.isSafeInteger(byteLength) || byteLength <= 0) {
    throw new RangeError(`Expected \`byteLength\` to be a positive integer, got ${describe(byteLength)}`);
  }
  checkOptions(options, ['reclaim', 'release'], 'allocateShared()');
  const block = allocateReclaiming(byteLength);
  const region = new SharedRegion(block.offset, byteLength);
  if (options.reclaim !== false) lifetimes.set(region, createLifetime(region, block.offset, byteLength, options.release ?? 0));
  return region;
}

/**
 * The region at a known place in the arena: the other half of passing a
 * region by its numbers (`byteOffset`, `byteLength`) inside your own protocol.
 *
 * @example
 * ```ts
 * const region = regionAt(header[0], header[1]);
 * ```
 */
export function regionAt(byteOffset: number, byteLength: number): SharedRegion {
  return new SharedRegion(byteOffset, byteLength);
}

/**
 * Frees a region allocated with `{ reclaim: false }`: any isolate may free it,
 * once; nobody may use it afterwards. For any other region, drops this
 * object's hold on the memory now instead of at garbage collection (the
 * memory comes back once no other copy holds it); do not use the object
 * afterwards.
 *
 * @example
 * ```ts
 * const copy = region.bytes().slice();
 * freeShared(region);
 * ```
 */
export function freeShared(region: SharedRegion): void {
  const lifetime = lifetimes.get(region);
  if (lifetime === undefined) free(region.byteOffset, region.byteLength);
  else {
    lifetimes.delete(region);
    releaseHolder(lifetime, region);
  }
}

/**
 * A small positive integer naming the calling thread or process among all
 * that share memory with it; lock owners are recorded by it.
 *
 * @example
 * ```ts
 * Atomics.store(owner, 0, isolateToken());
 * ```
 */
export function isolateToken(): number {
  return tokenOfThisIsolate();
}

/**
 * Whether the thread or process holding `token` is still running. Its parent
 * marks it dead when it exits, even when it was killed: a waiter can use this
 * to recover a lock whose owner died.
 *
 * @example
 * ```ts
 * if (!isIsolateAlive(Atomics.load(owner, 0))) recover();
 * ```
 */
export function isIsolateAlive(token: number): boolean {
  return isTokenAlive(token);
}

const VIEW_TYPE = '@mp/core.ArenaView';

type ViewConstructor = new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

const VIEWS: Record<string, ViewConstructor> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
} as Record<string, ViewConstructor>;

interface ViewState {
  readonly kind: string;
  readonly byteOffset: number;
  readonly length: number;
  /** The region the view was made from, which holds its memory; `undefined` for a view made by hand over the arena. */
  readonly region: SharedRegion | undefined;
}

defineShared<ViewState>(VIEW_TYPE, (state) => {
  const View = VIEWS[state.kind];
  if (!View) throw new TypeError(`Cannot rebuild a shared ${state.kind}`);
  const view = new View(arena().buffer, state.byteOffset, state.length);
  return state.region ? keep(view, state.region) : view;
});

/**
 * A typed array or DataView over shared memory (say `region.int32()`, or a
 * `RawArray`) travels as itself: the receiver gets a view of the same kind
 * over the same bytes, not a copy. Other views are cloned as usual.
 *
 * @internal Used by the codec.
 */
export function arenaView(value: object): Shareable | undefined {
  if (!ArrayBuffer.isView(value) || value.buffer !== peekArena()?.buffer) return undefined;
  const kind = value.constructor.name;
  if (!VIEWS[kind]) return undefined;
  const length = value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
  return {
    [share](context: ShareContext): SharedState {
      assertCanShare(context);
      // The region travels with the view (the codec shares it too): its memory lives while the view does.
      const state: ViewState = { kind, byteOffset: value.byteOffset, length, region: owners.get(value) };
      return { type: VIEW_TYPE, module: import.meta.url, state };
    },
  };
}

/** The outcome of a wait, as `Atomics.wait` reports it. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

function toWaitTimeout(timeout: number | undefined): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`Expected \`timeout\` to be a number of milliseconds or undefined, got ${describe(timeout)}`);
  }
  return Math.max(0, timeout);
}

/**
 * Blocks the calling thread while `view[index] === expected`, until notified
 * or `timeout` ms pass. Like `Atomics.wait`, but it also works between
 * processes when the arena is a shared-memory segment; there, as with any
 * futex, `'ok'` may be spurious — always re-check the word in a loop. Blocks the event loop: use {@link waitAsync} where that
 * matters.
 *
 * @param timeout - milliseconds; `undefined` waits without limit, negative means 0
 * @example
 * ```ts
 * while (Atomics.load(flag, 0) === 0) waitSync(flag, 0, 0);
 * ```
 */
export function waitSync(view: Int32Array, index: number, expected: number, timeout?: number): WaitResult {
  return waitWord(crossProcess(), view, index, expected, toWaitTimeout(timeout));
}

/**
 * Waits without blocking while `view[index] === expected`, until notified or
 * `timeout` ms pass. Keeps the event loop alive while it waits
 * (`Atomics.waitAsync` alone does not).
 *
 * @param timeout - milliseconds; `undefined` waits without limit, negative means 0
 * @example
 * ```ts
 * while (Atomics.load(flag, 0) === 0) await waitAsync(flag, 0, 0);
 * ```
 */
export function waitAsync(view: Int32Array, index: number, expected: number, timeout?: number): Promise<WaitResult> {
  const cross = crossProcess();
  const result = waitWordAsync(cross, view, index, expected, toWaitTimeout(timeout));
  if (!result.async) return Promise.resolve(result.value);
  if (cross) return result.value; // a futex wait holds the event loop open itself
  const release = keepAlive();
  return result.value.finally(release);
}

/**
 * Wakes up to `count` waiters (all by default) on `view[index]`, sync and
 * async alike, in every thread and process that shares the memory. Use it,
 * never `Atomics.notify`, on words others wait on with {@link waitSync} or
 * {@link waitAsync}.
 *
 * @returns how many waiters were woken
 * @example
 * ```ts
 * Atomics.store(flag, 0, 1);
 * notify(flag, 0);
 * ```
 */
export function notify(view: Int32Array, index: number, count?: number): number {
  return notifyWord(crossProcess(), view, index, count);
}

/** Whether waits on shared memory must cross processes (futex) or stay in V8 (Atomics). */
function crossProcess(): boolean {
  return peekArena()?.crossProcess ?? false;
}
