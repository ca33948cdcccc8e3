import type { Address } from '@mp/ipc';
import { addressKey } from './wire.js';

/** What a proxy arriving inside its own manager needs from it. */
export interface LocalServer {
  /** Keeps object `id` alive for good (a proxy stored inside another of the manager's objects); false when unknown. */
  holdForever(id: number): boolean;
  /** The object `id` refers to, when it is of `typeid`. */
  referent(id: number, typeid: string): object | undefined;
}

/** The servers running in this isolate, by address. */
const servers = new Map<string, LocalServer>();

/** Registers a server of this isolate (until `remove` is called). */
export function addLocalServer(address: Address, server: LocalServer): () => void {
  const key = addressKey(address);
  servers.set(key, server);
  return () => {
    if (servers.get(key) === server) servers.delete(key);
  };
}

/** The server of this isolate at `address`, if any. */
export function localServer(address: Address): LocalServer | undefined {
  return servers.size === 0 ? undefined : servers.get(addressKey(address));
}

/**
 * A proxy rebuilt inside its own manager (an argument of a call, e.g. a lock
 * given to `Condition(lock)`, or a proxy stored in a dict): the manager holds
 * the object itself instead of calling itself over a socket. CPython does the
 * same in `RebuildProxy`.
 */
export function heldByLocalServer(address: Address, id: number): boolean {
  return localServer(address)?.holdForever(id) ?? false;
}
