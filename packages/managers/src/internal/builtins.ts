import { describe } from '@mp/core/internal';
import type { BaseProxy } from '../base-proxy.js';
import { DictReferent, ListReferent, NamespaceReferent } from './referents/collections.js';
import { BarrierReferent, ConditionReferent, EventReferent } from './referents/events.js';
import { LockReferent, RLockReferent, SemaphoreReferent } from './referents/locks.js';
import { JoinableQueueReferent, QueueReferent } from './referents/queues.js';
import { ArrayReferent, ValueReferent } from './referents/values.js';

/** What a server needs to resolve a proxy argument to one of its own objects. */
export interface Resolver {
  /** The object a proxy of this server refers to, if it is of one of `typeids`. */
  own(proxy: unknown, typeids: readonly string[]): object | undefined;
}

/** How the server makes and exposes objects of one typeid. */
export interface TypeSpec {
  readonly typeid: string;
  /** Makes a new referent; absent for a typeid registered with `create: false` (only methods return it). */
  readonly create: ((args: unknown[], resolver: Resolver) => unknown) | undefined;
  /** The callable methods; `undefined`: the object's public methods. */
  readonly exposed: readonly string[] | undefined;
  /** Methods whose result is itself served, as an object of that typeid (a proxy is returned). */
  readonly methodToTypeid: ReadonlyMap<string, string>;
  /** Which proxy class clients build. */
  readonly kind: string;
}

function builtin(typeid: string, kind: string, exposed: readonly string[], create: (args: unknown[], resolver: Resolver) => object): TypeSpec {
  return { typeid, kind, exposed, create, methodToTypeid: new Map() };
}

/** SyncManager's types (Python's registry of `SyncManager`). */
export const BUILTIN_TYPES: readonly TypeSpec[] = [
  builtin('dict', 'dict', DictReferent.exposed, (args) => new DictReferent(args[0])),
  builtin('list', 'list', ListReferent.exposed, (args) => new ListReferent(args[0])),
  builtin('Namespace', 'namespace', NamespaceReferent.exposed, (args) => new NamespaceReferent(args[0])),
  builtin('Value', 'value', ValueReferent.exposed, (args) => new ValueReferent(args[0], args[1])),
  builtin('Array', 'array', ArrayReferent.exposed, (args) => new ArrayReferent(args[0], args[1])),
  builtin('Queue', 'queue', QueueReferent.exposed, (args) => new QueueReferent(args[0])),
  builtin('JoinableQueue', 'joinable-queue', JoinableQueueReferent.exposed, (args) => new JoinableQueueReferent(args[0])),
  builtin('Lock', 'lock', LockReferent.exposed, () => new LockReferent()),
  builtin('RLock', 'rlock', RLockReferent.exposed, () => new RLockReferent()),
  builtin('Semaphore', 'semaphore', SemaphoreReferent.exposed, (args) => new SemaphoreReferent(args[0] ?? 1)),
  builtin('BoundedSemaphore', 'semaphore', SemaphoreReferent.exposed, (args) => new SemaphoreReferent(args[0] ?? 1, true)),
  builtin('Event', 'event', EventReferent.exposed, () => new EventReferent()),
  builtin('Condition', 'condition', ConditionReferent.exposed, (args, resolver) => {
    if (args[0] === undefined || args[0] === null) return new ConditionReferent();
    const lock = resolver.own(args[0], ['Lock', 'RLock']);
    if (!lock) throw new TypeError(`Condition(lock) takes a Lock or RLock of the same manager, got ${describe(args[0] as BaseProxy)}`);
    return new ConditionReferent(lock as LockReferent | RLockReferent);
  }),
  builtin('Barrier', 'barrier', BarrierReferent.exposed, (args) => new BarrierReferent(args[0], args[1])),
];

/**
 * The public methods of an object (Python's `public_methods`): functions on it
 * and its prototypes up to `Object.prototype`, except `constructor` and names
 * that start with `_` (so `__proto__`, `__defineGetter__` and the like never are).
 */
export function publicMethods(object: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = object; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}
