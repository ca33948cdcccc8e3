import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LIFETIME_WORDS, allocate, arena, arenaUsage, free, withArenaLock } from './arena.js';
import { isolateToken, releaseToken } from './isolates.js';
import { runtime, slot } from './runtime.js';

/**
 * When the memory of a shared object comes back: reference counts across
 * isolates, released by garbage collection, by explicit release, and by the
 * death of the isolates that held them.
 *
 * A *lifetime* is a 32-byte record in the arena for one shared object's root
 * block (a Lock's words, a Queue's control block):
 *
 *   word 0  holds: isolates that hold the object, plus copies in flight
 *   word 1  the release routine's id (0: just free the root block)
 *   word 2  the root block's offset   word 3  its byte length
 *   word 4  next record in the list of orphans (see below)
 *
 * Each isolate counts once however many local objects stand for the record:
 * its first local holder adds the isolate's hold, and when the last one is
 * garbage-collected (or released explicitly) the isolate drops it. Sending the
 * object adds one hold for the copy in flight; the receiver either keeps it as
 * its own hold or, if it holds the object already, drops it. The last drop
 * runs the release routine and frees the blocks.
 *
 * Death: each isolate lists the records it holds in a *ledger* in the arena
 * (one per isolate token). A killed isolate cannot drop anything itself, so
 * its parent, on seeing it exit, drops every hold in its ledger
 * ({@link releaseIsolate}). Ledger entries are removed before the count is
 * dropped: an isolate killed between the two leaks one hold rather than
 * freeing memory that is still in use.
 *
 * Garbage: the arena is invisible to V8's heuristics — a Queue is a few bytes
 * of heap and 64 KiB of arena — so garbage that holds arena memory never makes
 * V8 collect. Each isolate therefore forces a collection itself when the
 * arena's use has grown by {@link SWEEP_FRACTION} of its size since its last
 * one, and once more before an allocation would fail; holders are tracked with
 * `WeakRef`s so that what the collection freed is dropped at once, not at some
 * later turn of the event loop.
 *
 * Orphans: a release routine belongs to the package that defined the type
 * (`@mp/ipc` frees a queue's segments). An isolate that drops the last hold
 * without that package loaded puts the record on a list of orphans, which an
 * isolate that has the routine drains on its next allocation.
 */

const HOLDS = 0;
const KIND = 1;
const ROOT_OFFSET = 2;
const ROOT_LENGTH = 3;
const NEXT = 4;
const RECORD_BYTES = 32;

/** Header words (from `LIFETIME_WORDS`): the head of the orphan list, and the ledger table's offset. */
const ORPHANS = LIFETIME_WORDS;
const LEDGERS = LIFETIME_WORDS + 1;
/** One ledger pointer per isolate token. */
const LEDGER_TABLE_BYTES = 65_536 * 4;
/** A ledger: [length, capacity, record offsets…]. */
const LEDGER_HEADER = 2;
const FIRST_LEDGER_CAPACITY = 14;

/** Force a collection when arena use grew by this fraction of the arena since this isolate's last one. */
export const SWEEP_FRACTION = 1 / 16;

/** What releases a root block whose last hold was dropped (beyond freeing it). */
export type ReleaseRoutine = (offset: number, byteLength: number) => void;

interface Holder {
  readonly record: number;
  readonly ref: WeakRef<object>;
}

/** This isolate's side: the records it holds, their local holders, its ledger's index of them. */
interface Local {
  /** record → the live local objects that stand for it. */
  readonly held: Map<number, Set<Holder>>;
  /** record → its index in this isolate's ledger. */
  readonly index: Map<number, number>;
  readonly finalizers: FinalizationRegistry<Holder>;
  /** Arena use (bytes) after the last sweep. */
  lastSweep: number;
  /** When the last sweep ran (`performance.now()`). */
  lastSweepAt: number;
}

function local(): Local {
  return slot('lifetimes', () => ({
    held: new Map(),
    index: new Map(),
    finalizers: new FinalizationRegistry<Holder>((holder) => forget(holder)),
    lastSweep: 0,
    lastSweepAt: -Infinity,
  }));
}

const ROUTINES = Symbol.for('@mp/core.release-routines');

/** Release routines known in this isolate, by id. */
function routines(): Map<number, ReleaseRoutine> {
  const store = globalThis as { [ROUTINES]?: Map<number, ReleaseRoutine> };
  store[ROUTINES] ??= new Map();
  return store[ROUTINES];
}

/** A stable 31-bit id for a routine's name (FNV-1a), the same in every isolate; never 0. */
function routineId(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 1) || 1;
}

/**
 * Defines what else to free when the last hold on a root block of kind `name`
 * is dropped. Call it when the module that allocates such roots is loaded.
 *
 * @returns the routine's id, to pass to {@link createLifetime}
 */
export function defineRelease(name: string, routine: ReleaseRoutine): number {
  const id = routineId(name);
  routines().set(id, routine);
  return id;
}

function words(): Int32Array {
  return arena().words;
}

function record(offset: number): Int32Array {
  return new Int32Array(arena().buffer, offset, RECORD_BYTES / 4);
}

// ---- ledgers ---------------------------------------------------------------

function ledgerTable(create: boolean): Int32Array | undefined {
  const header = words();
  let offset = Atomics.load(header, LEDGERS);
  if (offset === 0) {
    if (!create) return undefined;
    const block = allocate(LEDGER_TABLE_BYTES).offset;
    offset = Atomics.compareExchange(header, LEDGERS, 0, block);
    if (offset === 0) offset = block;
    else free(block, LEDGER_TABLE_BYTES); // another isolate made it first
  }
  return new Int32Array(arena().buffer, offset, LEDGER_TABLE_BYTES / 4);
}

function ledgerAt(offset: number): Int32Array {
  const head = new Int32Array(arena().buffer, offset, LEDGER_HEADER);
  return new Int32Array(arena().buffer, offset, LEDGER_HEADER + head[1]!);
}

/** Appends `offset` to this isolate's ledger (only this isolate writes it). */
function ledgerAdd(recordOffset: number): void {
  const table = ledgerTable(true)!;
  const token = isolateToken();
  let at = Atomics.load(table, token);
  let ledger = at === 0 ? undefined : ledgerAt(at);
  const length = ledger ? ledger[0]! : 0;
  if (!ledger || length === ledger[1]) {
    const capacity = ledger ? ledger[1]! * 2 : FIRST_LEDGER_CAPACITY;
    const grown = allocate((LEDGER_HEADER + capacity) * 4).offset;
    const next = new Int32Array(arena().buffer, grown, LEDGER_HEADER + capacity);
    if (ledger) next.set(ledger.subarray(LEDGER_HEADER, LEDGER_HEADER + length), LEDGER_HEADER);
    next[0] = length;
    next[1] = capacity;
    Atomics.store(table, token, grown);
    if (ledger) free(at, ledger.byteLength);
    at = grown;
    ledger = next;
  }
  ledger[LEDGER_HEADER + length] = recordOffset;
  Atomics.store(ledger, 0, length + 1);
  local().index.set(recordOffset, length);
}

/** Removes `offset` from this isolate's ledger: the last entry takes its place. */
function ledgerRemove(recordOffset: number): void {
  const { index } = local();
  const position = index.get(recordOffset);
  if (position === undefined) return;
  index.delete(recordOffset);
  const ledger = ledgerAt(Atomics.load(ledgerTable(true)!, isolateToken()));
  const last = ledger[0]! - 1;
  if (position !== last) {
    const moved = ledger[LEDGER_HEADER + last]!;
    ledger[LEDGER_HEADER + position] = moved;
    index.set(moved, position);
  }
  Atomics.store(ledger, 0, last);
}

// ---- holds -----------------------------------------------------------------

/** Drops one hold on the record; the last one releases the root. */
function dropHold(recordOffset: number): void {
  if (Atomics.sub(record(recordOffset), HOLDS, 1) === 1) release(recordOffset);
}

function release(recordOffset: number): void {
  const r = record(recordOffset);
  const kind = r[KIND]!;
  const routine = kind === 0 ? undefined : routines().get(kind);
  if (kind !== 0 && !routine) {
    adoptOrphan(recordOffset);
    return;
  }
  const offset = r[ROOT_OFFSET]!;
  const length = r[ROOT_LENGTH]!;
  routine?.(offset, length);
  free(offset, length);
  free(recordOffset, RECORD_BYTES);
}

/** The routine of this record is not loaded here: leave it for an isolate that has it. */
function adoptOrphan(recordOffset: number): void {
  withOrphans((header) => {
    record(recordOffset)[NEXT] = header[ORPHANS]!;
    header[ORPHANS] = recordOffset;
  });
}

/** Releases the orphans whose routine this isolate has. */
function drainOrphans(): void {
  const header = words();
  if (Atomics.load(header, ORPHANS) === 0 || routines().size === 0) return;
  const mine: number[] = [];
  withOrphans(() => {
    let previous = -1;
    for (let at = header[ORPHANS]!; at !== 0; ) {
      const r = record(at);
      const next = r[NEXT]!;
      if (routines().has(r[KIND]!)) {
        if (previous < 0) header[ORPHANS] = next;
        else record(previous)[NEXT] = next;
        mine.push(at);
      } else {
        previous = at;
      }
      at = next;
    }
  });
  for (const at of mine) release(at);
}

/** The orphan list is changed under the allocator's lock (which recovers from a holder that died). */
function withOrphans(body: (header: Int32Array) => void): void {
  withArenaLock(() => body(words()));
}

/** Counts `holder` as a local object standing for the record; the first one takes (or keeps) this isolate's hold. */
function attach(recordOffset: number, holder: object, inFlight: boolean): void {
  const state = local();
  let holders = state.held.get(recordOffset);
  if (holders) {
    // This isolate holds the record already: the copy in flight is not needed.
    if (inFlight) dropHold(recordOffset);
  } else {
    holders = new Set();
    state.held.set(recordOffset, holders);
    ledgerAdd(recordOffset);
  }
  const entry: Holder = { record: recordOffset, ref: new WeakRef(holder) };
  holders.add(entry);
  state.finalizers.register(holder, entry, entry);
}

/** A local holder is gone (collected, or released): the last one drops this isolate's hold. */
function forget(entry: Holder): void {
  const state = local();
  const holders = state.held.get(entry.record);
  if (!holders?.delete(entry)) return;
  state.finalizers.unregister(entry);
  if (holders.size > 0) return;
  state.held.delete(entry.record);
  ledgerRemove(entry.record);
  dropHold(entry.record);
}

// ---- the API core's SharedRegion uses ----------------------------------------

/**
 * Starts the lifetime of a root block that `holder` stands for in this
 * isolate. The block is freed (after `kind`'s routine) once no isolate holds
 * it any more.
 *
 * @returns the record's offset, which travels with the object
 */
export function createLifetime(holder: object, offset: number, byteLength: number, kind = 0): number {
  const at = allocate(RECORD_BYTES).offset;
  const r = record(at);
  r[KIND] = kind;
  r[ROOT_OFFSET] = offset;
  r[ROOT_LENGTH] = byteLength;
  Atomics.store(r, HOLDS, 1);
  attach(at, holder, false);
  return at;
}

/** One more copy of the object is about to travel: it holds the memory until it arrives. */
export function sendLifetime(recordOffset: number): void {
  Atomics.add(record(recordOffset), HOLDS, 1);
}

/** A copy that was sent will never arrive (its message was dropped): it stops holding the memory. */
export function dropLifetime(recordOffset: number): void {
  dropHold(recordOffset);
}

/** A copy arrived here, and `holder` stands for it. */
export function receiveLifetime(recordOffset: number, holder: object): void {
  attach(recordOffset, holder, true);
  maybeSweep();
}

/**
 * `holder` will not be used again: drop what it holds now rather than at
 * garbage collection (`close()`). Other local objects for the same record keep
 * it alive.
 */
export function releaseHolder(recordOffset: number, holder: object): void {
  const holders = local().held.get(recordOffset);
  if (!holders) return;
  for (const entry of holders) {
    if (entry.ref.deref() === holder) {
      forget(entry);
      return;
    }
  }
}

/**
 * The isolate with `token` has exited (or was killed): mark it dead, and drop
 * every hold in its ledger. Called by its parent, which saw it end.
 */
export function releaseIsolate(token: number): void {
  releaseToken(token);
  const table = ledgerTable(false);
  if (!table) return;
  const at = Atomics.exchange(table, token, 0);
  if (at === 0) return;
  const ledger = ledgerAt(at);
  const held = [...ledger.subarray(LEDGER_HEADER, LEDGER_HEADER + Atomics.load(ledger, 0))];
  free(at, ledger.byteLength);
  for (const recordOffset of held) dropHold(recordOffset);
}

// ---- garbage ---------------------------------------------------------------

let collect: (() => void) | undefined;

/** V8's collector, exposed on first need (the flag is process-wide; each isolate gets its own `gc`). */
function gc(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * Collects garbage now and drops the holds of local objects it freed,
 * without waiting for finalizers to run on a later turn.
 */
export function sweep(): void {
  gc();
  const state = local();
  for (const holders of [...state.held.values()]) {
    for (const entry of [...holders]) if (entry.ref.deref() === undefined) forget(entry);
  }
  state.lastSweep = arenaUsage().inUse;
  state.lastSweepAt = performance.now();
}

/**
 * A full collection costs milliseconds: one that just ran found what there was
 * to find, so callers that retry an allocation in a loop (a big item waiting
 * for space) do not collect on every attempt.
 */
const SWEEP_INTERVAL_MS = 50;

/** Sweeps when arena use grew by {@link SWEEP_FRACTION} of the arena since this isolate's last sweep. */
function maybeSweep(): void {
  const { inUse, bytes } = arenaUsage();
  const state = local();
  if (inUse < state.lastSweep) state.lastSweep = inUse;
  else if (inUse - state.lastSweep > bytes * SWEEP_FRACTION) sweep();
}

/**
 * Allocates a block, first releasing what can be released: orphans this
 * isolate can free, and garbage when arena use grew; and once more, after a
 * full sweep, if the arena was exhausted.
 */
export function allocateReclaiming(bytes: number): { offset: number; capacity: number } {
  drainOrphans();
  maybeSweep();
  try {
    return allocate(bytes);
  } catch (error) {
    if (!(error instanceof RangeError) || runtime().slots.get('lifetimes') === undefined) throw error;
    if (performance.now() - local().lastSweepAt < SWEEP_INTERVAL_MS) throw error;
    sweep();
    drainOrphans();
    return allocate(bytes);
  }
}
