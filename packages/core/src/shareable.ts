/**
 * The shared-object protocol: how an object created in one process (a Lock, a
 * Queue, a Value) reaches another as an object of the same class over the same
 * memory or channel, instead of as a copy.
 *
 * Core knows none of the classes. A class opts in by
 * 1. implementing `[share](context)`, which returns its {@link SharedState}:
 *    a type name, the URL of a module that defines the type, and a state made
 *    of cloneable data and other shareable objects (such as a
 *    {@link SharedRegion}); and
 * 2. calling {@link defineShared} once, at class definition, with a function
 *    that rebuilds an object from that state.
 *
 * On the receiving side, if the type is not yet defined there, the module is
 * imported first — as Python's unpickler imports the class's module.
 *
 * @module
 */

/** The method a shareable object implements. `Symbol.for`, so it survives duplicate copies of `@mp/core`. */
export const share: unique symbol = Symbol.for('@mp/core.share') as never;

/** Where a shared object is going; passed to `[share]()` so that it can refuse a destination. */
export interface ShareContext {
  /** True when the destination is another OS process (the `'process'` start method). */
  readonly crossProcess: boolean;
  /** The start method of the destination child, or `undefined` for a queue/pipe peer. */
  readonly startMethod: 'thread' | 'process' | undefined;
}

/** What a shareable object turns into when it travels. */
export interface SharedState {
  /** A globally unique type name, e.g. `'@mp/sync.Lock'`. */
  readonly type: string;
  /** A module whose evaluation defines `type` (pass `import.meta.url`). */
  readonly module: string;
  /** Cloneable data; may contain other shareable objects. */
  readonly state: unknown;
}

/** An object that travels by identity (see the module documentation). */
export interface Shareable {
  [share](context: ShareContext): SharedState;
}

type Revive = (state: never) => object;
type Discard = (state: never) => void;

const REGISTRY = Symbol.for('@mp/core.shareable-types');
const DISCARDS = Symbol.for('@mp/core.shareable-discards');

/** The types defined in this isolate, shared by every copy of `@mp/core` in it. */
export function sharedTypes(): Map<string, Revive> {
  const store = globalThis as { [REGISTRY]?: Map<string, Revive> };
  store[REGISTRY] ??= new Map();
  return store[REGISTRY];
}

/** What undoes a `[share]()` whose message will never arrive, per type (only types that count copies in flight). */
export function sharedDiscards(): Map<string, Discard> {
  const store = globalThis as { [DISCARDS]?: Map<string, Discard> };
  store[DISCARDS] ??= new Map();
  return store[DISCARDS];
}

/**
 * Defines how objects of a shared type are rebuilt on arrival. Call it once
 * per type, when the class is defined (a `static {}` block).
 *
 * @param type - the name the class's `[share]()` returns
 * @param revive - builds the local object from the state (shareables inside it already revived)
 * @param discard - undoes what `[share]()` did, for a message that will never be delivered (a
 *   task dropped by `terminate()`): for types that count copies in flight. Shareables inside the
 *   state are discarded on their own.
 * @example
 * ```ts
 * export class Flag implements Shareable {
 *   static { defineShared('my-lib.Flag', (s: { region: SharedRegion }) => new Flag(s.region)); }
 *   constructor(readonly region = allocateShared(4)) {}
 *   [share]() { return { type: 'my-lib.Flag', module: import.meta.url, state: { region: this.region } }; }
 * }
 * ```
 */
export function defineShared<S>(type: string, revive: (state: S) => object, discard?: (state: S) => void): void {
  sharedTypes().set(type, revive as Revive);
  if (discard) sharedDiscards().set(type, discard as Discard);
}

/** True when `value` implements the shared-object protocol. */
export function isShareable(value: unknown): value is Shareable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Shareable>)[share] === 'function';
}
