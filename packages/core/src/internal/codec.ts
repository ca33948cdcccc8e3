import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DataCloneError } from '../errors.js';
import { isShareable, share, sharedDiscards, sharedTypes, type ShareContext, type SharedState } from '../shareable.js';
import { arenaView } from '../shared-memory.js';

/**
 * Encoding of values that cross to another isolate.
 *
 * Shareable objects (a Lock, a Queue, a view over shared memory) cannot be
 * cloned: each is replaced by a *placeholder* — a fresh empty object made here —
 * and described in a {@link SharedTable} sent beside the value, in the same
 * message. Structured clone (`postMessage`, IPC with `serialization:
 * 'advanced'`, `v8.serialize`) keeps object identity within one message, so on
 * arrival the placeholders inside the value are the very objects listed in the
 * table, and the receiver swaps them by identity.
 *
 * Why not a tag inside the value: data is never trusted to mark itself. An
 * object a user can write — `JSON.parse(body)` of a request — could carry any
 * tag and name any module; a placeholder is only a placeholder because the
 * table, which only {@link encode} writes, points at that very object. User
 * data cannot alias it. And only modules named by a table are ever loaded, by
 * `file:` URL, and only when they then define the type they were named for.
 */

/** The shared objects of one message, sent beside its value. */
export interface SharedTable {
  /** The placeholders, each standing somewhere in the value (or in another entry's state). */
  readonly objects: readonly object[];
  /** What each placeholder stands for; `state` may hold further placeholders. */
  readonly states: readonly SharedState[];
}

/** An encoded value, and the table of shared objects that decoding must revive (`false`: none). */
export interface Encoded {
  readonly value: unknown;
  readonly shared: SharedTable | false;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return false;
  if (value instanceof Date || value instanceof RegExp || value instanceof Error) return false;
  return true;
}

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Finds shareables (true if any) and rejects what no transport can clone, naming its path. */
function scan(value: unknown, path: string, seen: Set<object>): boolean {
  if (typeof value === 'function') {
    throw new DataCloneError(
      `${path} cannot be sent to another thread or process: ${value.name ? `function ${value.name}` : 'a function'} ` +
        'cannot be cloned. Send data instead, or name the function with ref(moduleUrl, exportName).',
    );
  }
  if (typeof value === 'symbol') {
    throw new DataCloneError(`${path} cannot be sent to another thread or process: a symbol cannot be cloned.`);
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (isShareable(value) || arenaView(value)) return true;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) {
    throw new DataCloneError(`${path} cannot be sent to another thread or process: a ${value.constructor.name} cannot be cloned.`);
  }
  if (!isPlainContainer(value)) return false;
  let found = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' || typeof item === 'function' || typeof item === 'symbol') {
        found = scan(item, childPath(path, i), seen) || found;
      }
    }
  } else if (value instanceof Map) {
    for (const [k, v] of value) found = scan(k, `${path}.key`, seen) || scan(v, childPath(path, String(k)), seen) || found;
  } else if (value instanceof Set) {
    for (const v of value) found = scan(v, `${path}.item`, seen) || found;
  } else {
    for (const key of Object.keys(value)) found = scan((value as Record<string, unknown>)[key], childPath(path, key), seen) || found;
  }
  return found;
}

/** Sets an own data property: a key named `__proto__` stays a key, never the prototype. */
function put(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

interface Encoder {
  readonly context: ShareContext;
  /** Each object met so far, and what it became (a copy, or a placeholder). */
  readonly memo: Map<object, unknown>;
  readonly objects: object[];
  readonly states: SharedState[];
}

function replace(value: unknown, encoder: Encoder): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { memo } = encoder;
  if (memo.has(value)) return memo.get(value);
  const shareable = isShareable(value) ? value : arenaView(value);
  if (shareable) {
    const placeholder = {};
    memo.set(value, placeholder);
    const index = encoder.objects.push(placeholder) - 1;
    const shared: SharedState = shareable[share](encoder.context);
    encoder.states[index] = { type: shared.type, module: shared.module, state: replace(shared.state, encoder) };
    return placeholder;
  }
  if (!isPlainContainer(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const item of value) copy.push(replace(item, encoder));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    memo.set(value, copy);
    for (const [k, v] of value) copy.set(replace(k, encoder), replace(v, encoder));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memo.set(value, copy);
    for (const v of value) copy.add(replace(v, encoder));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  memo.set(value, copy);
  for (const key of Object.keys(value)) put(copy, key, replace((value as Record<string, unknown>)[key], encoder));
  return copy;
}

/**
 * Prepares `value` to cross to another isolate. Send `value` and `shared`
 * together, in one message: the table refers to objects inside the value.
 *
 * @param path - how to name the value in errors (`args`, `item`)
 * @throws {@link DataCloneError} naming the path of a function, symbol or promise inside `value`
 */
export function encode(value: unknown, context: ShareContext, path = 'value'): Encoded {
  if (!scan(value, path, new Set())) return { value, shared: false };
  const encoder: Encoder = { context, memo: new Map(), objects: [], states: [] };
  const encoded = replace(value, encoder);
  return { value: encoded, shared: { objects: encoder.objects, states: encoder.states } };
}

/** The entries of a received table, checked: what arrived is only trusted as far as its shape. */
function entriesOf(table: SharedTable): Array<readonly [object, SharedState]> {
  const { objects, states } = table as Partial<SharedTable>;
  if (!Array.isArray(objects) || !Array.isArray(states) || objects.length !== states.length) {
    throw new TypeError('Cannot receive shared objects: the message does not hold a valid table of them.');
  }
  return objects.map((object, i) => {
    const entry = states[i] as Partial<SharedState> | undefined;
    if (typeof object !== 'object' || object === null || typeof entry?.type !== 'string' || typeof entry.module !== 'string') {
      throw new TypeError('Cannot receive shared objects: the message does not hold a valid table of them.');
    }
    return [object, entry as SharedState] as const;
  });
}

/**
 * The modules to load before `states` can be revived — those of types not yet
 * defined here — each with the first type it was named for. Only `file:` URLs
 * are ever loaded.
 */
function modulesToLoad(states: readonly SharedState[]): Map<string, string> {
  const modules = new Map<string, string>();
  for (const { type, module } of states) {
    if (sharedTypes().has(type) || modules.has(module)) continue;
    if (!module.startsWith('file:')) {
      throw new Error(
        `Cannot receive a shared ${type}: its type is not defined in this process, and its module ${JSON.stringify(module)} ` +
          'is not a file: URL, so it is not loaded. Import the package that defines it in this process first.',
      );
    }
    modules.set(module, type);
  }
  return modules;
}

/** Swaps placeholders for the objects they stand for, in place (the value is this isolate's own copy). */
function swap(value: unknown, lookup: (placeholder: object) => object | undefined, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const object = lookup(value);
  if (object) return object;
  if (seen.has(value) || !isPlainContainer(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) value[i] = swap(item, lookup, seen);
    }
  } else if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [swap(k, lookup, seen), swap(v, lookup, seen)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => swap(v, lookup, seen));
    value.clear();
    for (const v of items) value.add(v);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item !== 'object' || item === null) continue;
      const swapped = swap(item, lookup, seen);
      if (swapped !== item) put(record, key, swapped);
    }
  }
  return value;
}

/** Rebuilds the shared objects of the table (each once, states first), and puts them in place in the value. */
function revive(value: unknown, entries: Array<readonly [object, SharedState]>): unknown {
  const pending = new Map(entries);
  const revived = new Map<object, object>();
  const lookup = (placeholder: object): object | undefined => {
    const done = revived.get(placeholder);
    if (done) return done;
    const entry = pending.get(placeholder);
    if (!entry) return undefined;
    // Taken out before its state is revived: a state that refers back to its own object is refused, not looped on.
    pending.delete(placeholder);
    const make = sharedTypes().get(entry.type);
    // Defined here already, or by the module the table named for it (else that module does not define it).
    if (!make) throw new Error(`Cannot receive a shared ${entry.type}: its module ${entry.module} was loaded but does not define it.`);
    const object = make(swap(entry.state, lookup, new Set()) as never);
    revived.set(placeholder, object);
    return object;
  };
  for (const [placeholder] of entries) lookup(placeholder);
  return swap(value, lookup, new Set());
}

const require = createRequire(import.meta.url);

function loadError(type: string, module: string, error: unknown): Error {
  return new Error(
    `Cannot receive a shared ${type}: its module ${module} could not be loaded here. ` +
      'Import the package that defines it in this process first.',
    { cause: error },
  );
}

/** Rebuilds shared objects in a received value, importing the modules of their types as needed. */
export async function decode(encoded: Encoded): Promise<unknown> {
  if (!encoded.shared) return encoded.value;
  const entries = entriesOf(encoded.shared);
  for (const [module, type] of modulesToLoad(entries.map(([, state]) => state))) {
    try {
      await import(module);
    } catch (error) {
      throw loadError(type, module, error);
    }
  }
  return revive(encoded.value, entries);
}

/** Like {@link decode}, without waiting: modules not yet loaded are required synchronously (require of ESM, Node ≥ 20.19). */
export function decodeSync(encoded: Encoded): unknown {
  if (!encoded.shared) return encoded.value;
  const entries = entriesOf(encoded.shared);
  for (const [module, type] of modulesToLoad(entries.map(([, state]) => state))) {
    try {
      require(fileURLToPath(module));
    } catch (error) {
      throw loadError(type, module, error);
    }
  }
  return revive(encoded.value, entries);
}

/**
 * Undoes the sending of an encoded value that will never be decoded (a task
 * dropped before it reached a worker, an item nobody will take): the copies it
 * counted in flight stop holding their memory. Call it at most once, and only
 * for a message that was not and will not be delivered.
 */
export function discard(encoded: Encoded): void {
  if (!encoded.shared) return;
  for (const { type, state } of encoded.shared.states) sharedDiscards().get(type)?.(state as never);
}
