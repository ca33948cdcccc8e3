import { deserialize, serialize } from 'node:v8';
import { DataCloneError, isShareable } from '@mp/core';

/** Finds a shared `@mp` object (a Lock, Queue, Value…) inside `value`, returning its path. */
function findShared(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (isShareable(value) || value instanceof SharedArrayBuffer || (ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer)) return path;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return undefined;
  const entries: Iterable<[string, unknown]> =
    value instanceof Map ? [...value].map(([k, v]) => [`${path}.get(${String(k)})`, v]) :
    value instanceof Set ? [...value].map((v, i) => [`${path} item ${i}`, v]) :
    Object.entries(value).map(([k, v]) => [Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, v]);
  for (const [childPath, child] of entries) {
    const found = findShared(child, childPath, seen);
    if (found) return found;
  }
  return undefined;
}

/**
 * Serializes the items of a job (data only: V8's structured-clone format,
 * which revives no classes and runs no code on the other side).
 *
 * @param name - names item `i` in errors (`args[0]`, `item 3`)
 * @throws DataCloneError naming the item: a shared `@mp` object (memory of this machine), or a value that cannot be cloned
 */
export function encodeItems(items: readonly unknown[], name: (i: number) => string): string {
  for (let i = 0; i < items.length; i++) {
    const shared = findShared(items[i], name(i), new Set());
    if (shared) {
      throw new DataCloneError(
        `${shared} is a shared @mp object (Lock, Queue, Value…), which lives in this machine's memory and cannot reach a remote ` +
          'worker: pass plain data, and coordinate remote tasks through their results (or through Redis)',
      );
    }
  }
  try {
    return Buffer.from(serialize(items)).toString('base64');
  } catch (error) {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // An argument list: name the argument, not the list.
      if (Array.isArray(item)) {
        for (let j = 0; j < item.length; j++) {
          try {
            serialize(item[j]);
          } catch (cause) {
            throw new DataCloneError(`${name(i)}[${j}] cannot be sent to a remote worker: ${(cause as Error).message}. Send data instead (functions travel by name: ref(module, exportName))`, { cause });
          }
        }
      }
      try {
        serialize(item);
      } catch (cause) {
        throw new DataCloneError(`${name(i)} cannot be sent to a remote worker: ${(cause as Error).message}. Send data instead (functions travel by name: ref(module, exportName))`, { cause });
      }
    }
    throw new DataCloneError(`The arguments cannot be sent to a remote worker: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads what {@link encodeItems} wrote. */
export function decodeItems(text: string): unknown[] {
  const items = deserialize(Buffer.from(text, 'base64')) as unknown;
  if (!Array.isArray(items)) throw new TypeError('Expected the job to hold an array of items');
  return items;
}

/** An error as it travels back: strings only. */
export interface RemoteErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  readonly code?: string | undefined;
}

/** The outcome of one job: a result per item (`undefined` where it failed) and every failure by position in the job. */
export interface ChunkOutcome {
  readonly results: unknown[];
  readonly errors: ReadonlyArray<{ readonly index: number; readonly error: RemoteErrorData }>;
}

/** What a worker pushes back for a job. */
export interface ResultMessage {
  readonly job: string;
  readonly host: string;
  readonly pid: number;
  /** A {@link ChunkOutcome}, serialized where it was made. */
  readonly outcome: Uint8Array;
}

export function toErrorData(error: unknown): RemoteErrorData {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error & { code?: unknown };
    return { name: String(e.name ?? 'Error'), message: String(e.message), stack: String(e.stack ?? ''), code: typeof e.code === 'string' ? e.code : undefined };
  }
  return { name: 'Error', message: `A task threw a non-error value: ${String(error)}`, stack: '' };
}

const BUILT_IN: Record<string, new (message: string) => Error> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * Rebuilds a remote error for the caller: the remote name, message and stack,
 * with the worker's host (a built-in class for the built-in names; never a class named by the data otherwise).
 */
export function reviveError(data: RemoteErrorData, host: string, pid: number): Error & { host: string } {
  const Ctor = Object.hasOwn(BUILT_IN, data.name) ? BUILT_IN[data.name]! : Error;
  const error = new Ctor(data.message) as Error & { host: string; code?: string };
  if (error.name !== data.name) Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  error.stack = `${data.stack || `${data.name}: ${data.message}`}\n    at mp-worker on ${host} (pid ${pid})`;
  error.host = host;
  if (data.code !== undefined) error.code = data.code;
  return error;
}

export function encodeMessage(message: ResultMessage): Buffer {
  return serialize(message);
}

/** Reads a message a worker pushed; `undefined` for anything else (the list is only ever written by workers, but nothing is trusted). */
export function decodeMessage(bytes: Buffer): { job: string; host: string; pid: number; outcome: ChunkOutcome } | undefined {
  try {
    const message = deserialize(bytes) as Partial<ResultMessage>;
    if (typeof message?.job !== 'string' || !(message.outcome instanceof Uint8Array)) return undefined;
    const outcome = deserialize(message.outcome) as ChunkOutcome;
    if (!Array.isArray(outcome?.results) || !Array.isArray(outcome.errors)) return undefined;
    return { job: message.job, host: String(message.host), pid: Number(message.pid), outcome };
  } catch {
    return undefined;
  }
}

/** An outcome in which every item of a job failed with `error` (a worker lost, a module not found). */
export function failedOutcome(count: number, error: unknown): Uint8Array {
  const data = toErrorData(error);
  return serialize({ results: [], errors: Array.from({ length: Math.max(count, 1) }, (_, index) => ({ index, error: data })) } satisfies ChunkOutcome);
}
