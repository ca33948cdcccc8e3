import { DataCloneError } from '@mp/core';
import { decodeSync, describe, discard, encode, type Encoded } from '@mp/core/internal';
import type { Address } from '@mp/ipc';

/**
 * What crosses a manager's socket, both ways. Every message is plain data
 * (`v8.serialize`); the only objects that may ride inside a value are proxies
 * of managers, carried the way @mp/core carries shared objects: a placeholder
 * in the value and the proxy's token in a table beside it, so that no data can
 * pass itself off as a proxy. A received table is accepted only when every
 * entry is a proxy token: nothing received names a module to load or a
 * function to call.
 */

/** The shared-type name of proxies (see {@link BaseProxy}). */
export const PROXY_TYPE = '@mp/managers.Proxy';

/** What a proxy is: which object of which manager, and how to talk to it. */
export interface Token {
  /** The manager's type name for the object (`'dict'`, a registered typeid). */
  readonly typeid: string;
  /** The object's number in the manager. */
  readonly id: number;
  /** Where the manager listens. */
  readonly address: Address;
  /** The methods the manager lets proxies call (Python's `exposed`). */
  readonly exposed: readonly string[];
  /** Which proxy class to build (`'dict'`, `'list'`, … or `'auto'`). */
  readonly kind: string;
}

/** A value as sent: plain data plus the tokens of the proxies inside it. */
export interface WireValue {
  readonly value: unknown;
  readonly shared: Encoded['shared'];
}

/** The error of a failed request, as data. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  readonly code?: string | undefined;
}

/** A reply of the manager to the request numbered `rid`. */
export type Reply =
  | { readonly rid: number; readonly ok: true; readonly value?: WireValue; readonly token?: Token }
  | { readonly rid: number; readonly ok: false; readonly error: WireError };

const TO_SOCKET = { crossProcess: true, startMethod: undefined } as const;

/** A value that holds no object at all: nothing in it can be a proxy, or fail to clone. */
function isScalar(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint' || value === null;
}

/** Scalars, or an array of scalars (a call's usual arguments): sent as they are, without the general codec's walk. */
function isFlat(value: unknown): boolean {
  if (!Array.isArray(value)) return isScalar(value);
  // Only a dense array of the array prototype: a subclass or holes take the general path, as before.
  if (Object.getPrototypeOf(value) !== Array.prototype || value.length > 16) return false;
  for (let i = 0; i < value.length; i++) {
    if (!(i in value) || !isScalar(value[i])) return false;
  }
  return true;
}

/** Prepares a value for the socket; proxies inside it go as tokens. */
export function toWire(value: unknown, path: string): WireValue {
  if (isFlat(value)) return { value, shared: false };
  const encoded = encode(value, TO_SOCKET, path);
  if (encoded.shared) {
    const other = encoded.shared.states.find((state) => state.type !== PROXY_TYPE);
    if (other) {
      discard(encoded);
      throw new DataCloneError(
        `${path} holds a shared ${other.type}, which cannot reach a manager: its memory belongs to this machine's ` +
          'program tree, not to the manager. Put a manager proxy there instead (manager.Lock(), manager.Queue(), …), or plain data.',
      );
    }
  }
  return { value: encoded.value, shared: encoded.shared };
}

/**
 * Rebuilds a received value. Only proxy tokens are accepted in its table (their
 * type is defined by this package, so nothing is loaded).
 *
 * @throws TypeError for anything else
 */
export function fromWire(wire: unknown, path: string): unknown {
  if (typeof wire !== 'object' || wire === null || !('value' in wire) || !('shared' in wire)) {
    throw new TypeError(`Expected ${path} to be a value sent by a manager client, got ${describe(wire)}`);
  }
  const { value, shared } = wire as WireValue;
  if (shared === false) return value;
  const states = (shared as { states?: unknown } | null)?.states;
  if (!Array.isArray(states) || states.some((state) => (state as { type?: unknown } | null)?.type !== PROXY_TYPE)) {
    throw new TypeError(`${path} holds something other than manager proxies beside its data: refused (only proxies and plain data cross a manager's socket).`);
  }
  return decodeSync({ value, shared });
}

/** The data of an error, for the socket. */
export function errorToWire(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, stack: error.stack ?? '', code: typeof code === 'string' ? code : undefined };
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${describe(error)}`, stack: '' };
}

/** A stable text for an address (a map key). */
export function addressKey(address: Address): string {
  return typeof address === 'string' ? `unix:${address}` : `tcp:${address[0]}:${address[1]}`;
}

/** Checks a token received from elsewhere. */
export function checkToken(token: unknown): Token {
  const t = token as Partial<Token> | null;
  const address = t?.address;
  const addressOk =
    (typeof address === 'string' && address.length > 0) ||
    (Array.isArray(address) && address.length === 2 && typeof address[0] === 'string' && Number.isInteger(address[1]));
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.typeid !== 'string' ||
    !Number.isSafeInteger(t.id) ||
    !addressOk ||
    !Array.isArray(t.exposed) ||
    !t.exposed.every((name) => typeof name === 'string') ||
    typeof t.kind !== 'string'
  ) {
    throw new TypeError(`Expected a manager proxy's token ({ typeid, id, address, exposed, kind }), got ${describe(token)}`);
  }
  return { typeid: t.typeid, id: t.id!, address: address as Address, exposed: [...t.exposed], kind: t.kind };
}
