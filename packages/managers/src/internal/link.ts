import { Client, type Address, type SocketConnection } from '@mp/ipc';
import { ManagerStateError } from '../errors.js';
import { addressKey, type Reply } from './wire.js';

interface Waiter {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * This isolate's connection to one manager, shared by all its proxies of
 * that manager (CPython opens one per thread; here one per thread or process,
 * as the event loop serves every caller). Requests carry a number and replies
 * may come in any order: a proxy waiting on `lock.acquire()` does not hold up
 * another's `dict.get()`.
 *
 * The socket is read only while a request waits for its reply, so that an idle
 * proxy does not keep the program alive (a pending read holds the event loop).
 */
export class Link {
  readonly address: Address;
  readonly authkey: Uint8Array | null;
  readonly #key: string;
  #connecting: Promise<SocketConnection<unknown>> | undefined;
  #conn: SocketConnection<unknown> | undefined;
  #failure: Error | undefined;
  readonly #pending = new Map<number, Waiter>();
  #nextRid = 1;
  #reading = false;

  constructor(address: Address, authkey: Uint8Array | null, key: string) {
    this.address = address;
    this.authkey = authkey;
    this.#key = key;
  }

  /** True once closed: a proxy that kept this link looks its manager up again (it may have shut down, or restarted). */
  get closed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Sends a request and waits for its reply. `message` is the caller's own
   * object: its `rid` is set here. Once connected, the request is written
   * synchronously (no promise hop before the socket write).
   */
  request(message: Record<string, unknown>): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const conn = this.#conn;
    if (conn === undefined) return this.#connect().then((connected) => this.#send(connected, message));
    try {
      return Promise.resolve(this.#send(conn, message));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  #send(conn: SocketConnection<unknown>, message: Record<string, unknown>): Promise<Reply> {
    if (this.#failure) throw this.#failure;
    const rid = this.#nextRid++;
    message['rid'] = rid;
    let waiter!: Waiter;
    const reply = new Promise<Reply>((resolve, reject) => (waiter = { resolve, reject }));
    try {
      conn.send(message);
    } catch (error) {
      // A message that cannot be encoded leaves the connection as it was; any other failure means it is broken:
      // the link closes, and the proxies' next calls look the manager up again.
      if ((error as Error | undefined)?.name === 'DataCloneError') throw error;
      const failure = this.#gone(error);
      this.close(failure);
      throw failure;
    }
    this.#pending.set(rid, waiter);
    if (!this.#reading) void this.#read(conn);
    return reply;
  }

  /** Sends a message that has no reply (incref, decref), after any request already sent. */
  notify(message: Record<string, unknown>): void {
    if (this.#failure) return;
    const send = (conn: SocketConnection<unknown>): void => {
      try {
        conn.send(message);
      } catch {
        // The manager is gone: there is nothing left to count.
      }
    };
    if (this.#conn) send(this.#conn);
    else this.#connect().then(send, () => {});
  }

  /** Closes the connection (the manager drops what this isolate held). */
  close(reason?: Error): void {
    this.#failure ??= reason ?? new ManagerStateError(`The connection to the manager at ${show(this.address)} was closed.`);
    this.#conn?.close();
    for (const waiter of this.#pending.values()) waiter.reject(this.#failure);
    this.#pending.clear();
    if (links.get(this.#key) === this) links.delete(this.#key);
  }

  #connect(): Promise<SocketConnection<unknown>> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#connecting ??= Client<unknown>(this.address, { authkey: this.authkey }).then(
      (conn) => {
        this.#conn = conn;
        return conn;
      },
      (error: unknown) => {
        const failure = this.#gone(error);
        this.close(failure);
        throw failure;
      },
    );
    return this.#connecting;
  }

  async #read(conn: SocketConnection<unknown>): Promise<void> {
    this.#reading = true;
    try {
      while (this.#pending.size > 0) {
        const reply = (await conn.recv()) as Reply;
        const waiter = this.#pending.get(reply.rid);
        if (!waiter) continue;
        this.#pending.delete(reply.rid);
        waiter.resolve(reply);
      }
    } catch (error) {
      this.close(this.#gone(error));
    } finally {
      this.#reading = false;
    }
  }

  /** The error for a manager that cannot be reached or went away mid-call. */
  #gone(error: unknown): Error {
    if (this.#failure) return this.#failure;
    const name = (error as Error | undefined)?.name;
    if (name === 'AuthenticationError' || name === 'TypeError') return error as Error;
    return new ManagerStateError(
      `The manager at ${show(this.address)} is not running (it has shut down, or its process ended): ` +
        `${(error as Error)?.message ?? String(error)}. Proxies of a manager work only while it runs.`,
      { cause: error },
    );
  }
}

/** Links of this isolate, by address and key. */
const links = new Map<string, Link>();
/** Managers this isolate shut down: their proxies fail at once with a clear error. */
const shutDown = new Set<string>();

function authkeyHex(authkey: Uint8Array | null): string {
  return authkey === null ? '-' : Buffer.from(authkey.buffer, authkey.byteOffset, authkey.byteLength).toString('hex');
}

/** The link of this isolate to the manager at `address`, made on first use. */
export function linkTo(address: Address, authkey: Uint8Array | null): Link {
  const where = addressKey(address);
  if (shutDown.has(where)) {
    throw new ManagerStateError(
      `The manager at ${show(address)} has shut down: its proxies cannot be used after shutdown(). Start a new manager for new objects.`,
    );
  }
  const key = `${where}|${authkeyHex(authkey)}`;
  let link = links.get(key);
  if (!link) links.set(key, (link = new Link(address, authkey, key)));
  return link;
}

/** Closes this isolate's links to a manager that shut down, and remembers it. */
export function closeLinks(address: Address): void {
  const where = addressKey(address);
  shutDown.add(where);
  const error = new ManagerStateError(
    `The manager at ${show(address)} has shut down: its proxies cannot be used after shutdown(). Start a new manager for new objects.`,
  );
  for (const [key, link] of links) if (key.startsWith(`${where}|`)) link.close(error);
}

/** A manager (re)started or connected at `address`: its proxies work again. */
export function reopened(address: Address): void {
  shutDown.delete(addressKey(address));
}

/** An address as people write it. */
export function show(address: Address): string {
  return typeof address === 'string' ? address : `${address[0]}:${address[1]}`;
}
