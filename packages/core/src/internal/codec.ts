import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DataCloneError } from '../errors.js';
import { isShareable, share, sharedTypes, type ShareContext, type SharedState } from '../shareable.js';
import { arenaView } from '../shared-memory.js';

/**
 * Encoding of values that cross to another isolate: shareable objects become
 * markers carrying their {@link SharedState}; everything else is left for the
 * structured clone of the transport (`postMessage`, IPC, `v8.serialize`).
 */

const MARK = '@@mp/shared';

interface Marker {
  readonly [MARK]: true;
  readonly type: string;
  readonly module: string;
  readonly state: unknown;
}

/** An encoded value, and whether it holds shared objects that decoding must revive. */
export interface Encoded {
  readonly value: unknown;
  readonly shared: boolean;
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

function replace(value: unknown, context: ShareContext, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  const shareable = isShareable(value) ? value : arenaView(value);
  if (shareable) {
    const shared: SharedState = shareable[share](context);
    const marker: Record<string, unknown> = { [MARK]: true, type: shared.type, module: shared.module };
    memo.set(value, marker);
    marker['state'] = replace(shared.state, context, memo);
    return marker;
  }
  if (!isPlainContainer(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const item of value) copy.push(replace(item, context, memo));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    memo.set(value, copy);
    for (const [k, v] of value) copy.set(replace(k, context, memo), replace(v, context, memo));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memo.set(value, copy);
    for (const v of value) copy.add(replace(v, context, memo));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  memo.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = replace((value as Record<string, unknown>)[key], context, memo);
  return copy;
}

/**
 * Prepares `value` to cross to another isolate.
 *
 * @param path - how to name the value in errors (`args`, `item`)
 * @throws {@link DataCloneError} naming the path of a function, symbol or promise inside `value`
 */
export function encode(value: unknown, context: ShareContext, path = 'value'): Encoded {
  if (!scan(value, path, new Set())) return { value, shared: false };
  return { value: replace(value, context, new Map()), shared: true };
}

function isMarker(value: object): value is Marker {
  return (value as Partial<Marker>)[MARK] === true;
}

function markers(value: unknown, seen: Set<object>, out: Marker[]): Marker[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  if (isMarker(value)) out.push(value);
  const children = value instanceof Map ? [...value.keys(), ...value.values()]
    : value instanceof Set || Array.isArray(value) ? [...value]
    : isPlainContainer(value) ? Object.values(value) : [];
  for (const child of children) markers(child, seen, out);
  return out;
}

const require = createRequire(import.meta.url);

/** Loads a shared type's module synchronously (require of ESM, Node ≥ 20.19). */
function loadTypeSync(marker: Marker): void {
  if (sharedTypes().has(marker.type)) return;
  try {
    require(marker.module.startsWith('file:') ? fileURLToPath(marker.module) : marker.module);
  } catch (error) {
    throw new Error(
      `Cannot receive a shared ${marker.type}: its module ${marker.module} could not be loaded here. ` +
        'Import the package that defines it in this process first.',
      { cause: error },
    );
  }
}

function revive(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  if (isMarker(value)) {
    const make = sharedTypes().get(value.type);
    if (!make) throw new Error(`Cannot receive a shared ${value.type}: its type is not defined in this process.`);
    const object = make(revive(value.state, memo) as never);
    memo.set(value, object);
    return object;
  }
  memo.set(value, value);
  if (!isPlainContainer(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], memo);
  } else if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [revive(k, memo), revive(v, memo)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => revive(v, memo));
    value.clear();
    for (const v of items) value.add(v);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = revive(record[key], memo);
  }
  return value;
}

/** Rebuilds shared objects in a received value, importing their modules as needed. */
export async function decode(encoded: Encoded): Promise<unknown> {
  if (!encoded.shared) return encoded.value;
  const pending = markers(encoded.value, new Set(), []).filter((m) => !sharedTypes().has(m.type));
  for (const module of new Set(pending.map((m) => m.module))) await import(module);
  return revive(encoded.value, new Map());
}

/** Like {@link decode}, without waiting: modules not yet loaded are required synchronously. */
export function decodeSync(encoded: Encoded): unknown {
  if (!encoded.shared) return encoded.value;
  for (const marker of markers(encoded.value, new Set(), [])) loadTypeSync(marker);
  return revive(encoded.value, new Map());
}
