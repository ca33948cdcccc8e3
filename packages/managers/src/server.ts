import { inspect } from 'node:util';
import { describe } from '@mp/core/internal';
import { Listener, type Address, type SocketConnection } from '@mp/ipc';
import { BaseProxy } from './base-proxy.js';
import { publicMethods, type Resolver, type TypeSpec } from './internal/builtins.js';
import { addLocalServer } from './internal/local-servers.js';
import { callAs, withCaller, type Caller } from './internal/referents/caller.js';
import { pyError } from './internal/referents/collections.js';
import { errorToWire, fromWire, toWire, type Reply, type Token } from './internal/wire.js';

interface Entry {
  readonly object: object;
  readonly typeid: string;
  readonly spec: TypeSpec;
  readonly exposed: ReadonlySet<string>;
  readonly exposedList: readonly string[];
  refs: number;
}

interface Client extends Caller {
  readonly conn: SocketConnection<Record<string, unknown>>;
  readonly abort: AbortController;
  /** References this client holds, by object id. */
  readonly refs: Map<number, number>;
}

/** Options of {@link Server} (given by the manager that makes it). */
export interface ServerOptions {
  /** Where to listen. @defaultValue a new Unix socket */
  address?: Address | undefined;
  /** The key clients must have (`null`: none). */
  authkey: Uint8Array | null;
}

/**
 * The server of a manager: it holds the objects, and runs the methods proxies
 * call, one client connection per thread or process of the programs using it.
 * A manager process runs one; {@link BaseManager.getServer} gives one to run
 * in the current program with {@link Server.serveForever}.
 *
 * Only methods the type exposes can be called (the builtin types' lists, or a
 * registered type's `exposed`, by default its public methods): no client can
 * reach `constructor`, `__proto__` or anything not listed. Only typeids the
 * program registered can be created.
 *
 * Python: `multiprocessing.managers.Server`.
 *
 * @example
 * ```ts
 * const server = manager.getServer();
 * await server.ready;
 * console.log('serving at', server.address);
 * await server.serveForever(); // until a client calls shutdown, or server.shutdown()
 * ```
 */
export class Server {
  readonly #types: ReadonlyMap<string, TypeSpec>;
  readonly #listener: Listener;
  readonly #objects = new Map<number, Entry>();
  readonly #idOf = new Map<object, number>();
  readonly #clients = new Set<Client>();
  #nextId = 1;
  #nextClient = 1;
  #stopped = false;
  #serving: Promise<void> | undefined;
  #unregister: (() => void) | undefined;
  readonly #resolver: Resolver = {
    own: (proxy, typeids) => {
      if (!(proxy instanceof BaseProxy) || !typeids.includes(proxy.typeid)) return undefined;
      const entry = this.#objects.get(proxy.id);
      return entry && entry.typeid === proxy.typeid ? entry.object : undefined;
    },
  };

  /** Resolves with the server once it listens (then `address` is final). */
  readonly ready: Promise<this>;

  /**
   * Servers are made by a manager ({@link BaseManager.getServer}).
   *
   * @param types - the typeids it serves
   * @param options - address and authkey
   * @internal
   */
  constructor(types: readonly TypeSpec[], options: ServerOptions) {
    this.#types = new Map(types.map((spec) => [spec.typeid, spec]));
    this.#listener = new Listener(options.address, { authkey: options.authkey });
    this.ready = this.#listener.ready.then(() => {
      this.#unregister = addLocalServer(this.address, {
        holdForever: (id) => {
          const entry = this.#objects.get(id);
          if (entry) entry.refs++;
          return entry !== undefined;
        },
        referent: (id, typeid) => {
          const entry = this.#objects.get(id);
          return entry?.typeid === typeid ? entry.object : undefined;
        },
      });
      return this;
    });
  }

  /** Where it listens: pass it, with the authkey, to `connect()`. Python: `address`. */
  get address(): Address {
    return this.#listener.address;
  }

  /** How many objects it holds (Python: `_number_of_objects()`). */
  get objectCount(): number {
    return this.#objects.size;
  }

  /**
   * Serves clients until {@link Server.shutdown} (or a client's
   * `shutdown` request). Calling it again returns the same promise.
   *
   * Python: `serve_forever()`.
   *
   * @returns a promise that resolves once the server has stopped
   * @throws the listening error (rejection), e.g. `EADDRINUSE`
   * @example
   * ```ts
   * await manager.getServer().serveForever();
   * ```
   */
  serveForever(): Promise<void> {
    this.#serving ??= this.#acceptLoop();
    return this.#serving;
  }

  /**
   * Stops serving: closes the listener and every client connection (their
   * pending calls fail). Calling it again does nothing.
   *
   * Python: `shutdown` (the request `BaseManager.shutdown()` sends).
   *
   * @example
   * ```ts
   * server.shutdown();
   * ```
   */
  shutdown(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#listener.close();
    this.#unregister?.();
    for (const client of this.#clients) this.#drop(client);
    this.#objects.clear();
    this.#idOf.clear();
  }

  async #acceptLoop(): Promise<void> {
    await this.ready;
    while (!this.#stopped) {
      let conn: SocketConnection<Record<string, unknown>>;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopped || (error as Error).name === 'ClosedError') break;
        // A client that failed the authkey check (or vanished mid-check) is turned away; serving goes on.
        continue;
      }
      void this.#serve(conn);
    }
  }

  async #serve(conn: SocketConnection<Record<string, unknown>>): Promise<void> {
    const abort = new AbortController();
    const client: Client = { id: this.#nextClient++, signal: abort.signal, abort, conn, refs: new Map() };
    this.#clients.add(client);
    try {
      while (!this.#stopped) {
        let message: unknown;
        try {
          message = await conn.recv();
        } catch {
          // EOF, a closed connection, or bytes that are not a message: this client is done.
          break;
        }
        this.#handle(client, message);
      }
    } finally {
      this.#drop(client);
    }
  }

  #drop(client: Client): void {
    if (!this.#clients.delete(client)) return;
    client.abort.abort();
    client.conn.close();
    for (const [id, count] of client.refs) this.#decref(id, count);
    client.refs.clear();
  }

  #handle(client: Client, message: unknown): void {
    const request = message as Record<string, unknown> | null;
    const rid = typeof request === 'object' && request !== null ? request['rid'] : undefined;
    const op = typeof request === 'object' && request !== null ? request['op'] : undefined;
    if (op === 'incref' || op === 'decref') {
      const id = request!['id'];
      if (typeof id !== 'number') return;
      if (op === 'incref') this.#incref(client, id);
      else {
        const held = client.refs.get(id) ?? 0;
        if (held === 0) return;
        if (held === 1) client.refs.delete(id);
        else client.refs.set(id, held - 1);
        this.#decref(id, 1);
      }
      return;
    }
    if (typeof rid !== 'number' || !Number.isSafeInteger(rid)) {
      // Not a request of ours: nothing can be answered, and the stream cannot be trusted.
      this.#drop(client);
      return;
    }
    let result: unknown;
    try {
      result = op === 'call' ? this.#call(client, request!) : this.#run(client, request!, op);
    } catch (error) {
      this.#reply(client, { rid, ok: false, error: errorToWire(error) });
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (reply: Omit<Reply & { ok: true }, 'rid'>) => this.#reply(client, { ...reply, rid }),
        (error: unknown) => this.#reply(client, { rid, ok: false, error: errorToWire(error) }),
      );
    } else {
      // The reply object is this request's own: its number goes in without a copy.
      (result as { rid: number }).rid = rid;
      this.#reply(client, result as Reply);
    }
  }

  /**
   * Runs a method call: the object must be held, the method exposed. A method
   * that returns at once is answered at once (no promise); one that returns a
   * promise (a lock's acquire…) is answered when it settles, while the
   * connection's other requests go on.
   */
  #call(client: Client, request: Record<string, unknown>): unknown {
    const entry = this.#objects.get(request['id'] as number);
    if (!entry) {
      throw pyError('KeyError', `the manager holds no object #${describe(request['id'])}: it was released, or never made. Use proxies the manager gave.`);
    }
    const method = request['method'];
    if (typeof method !== 'string' || !entry.exposed.has(method)) {
      throw pyError('AttributeError', `method ${describe(method)} of ${entry.typeid} object is not in exposed=[${entry.exposedList.join(', ')}]`);
    }
    const args = this.#args(request['args']);
    const member = (entry.object as Record<string, unknown>)[method];
    const value = typeof member === 'function' ? callAs(client, entry.object, member, args) : member;
    const typeid = entry.spec.methodToTypeid.get(method);
    if (value instanceof Promise) return value.then((result: unknown) => this.#result(client, result, typeid));
    return this.#result(client, value, typeid);
  }

  /** The reply (without its number) to a call that returned `result`. */
  #result(client: Client, result: unknown, typeid: string | undefined): object {
    if (typeid !== undefined) return { ok: true, token: this.#serveNew(client, result, typeid) };
    // No result (set, append, release…): a reply without a value, which the proxy reads as undefined.
    return result === undefined ? { ok: true } : { ok: true, value: toWire(result, 'the result') };
  }

  /** Runs one request; returns the reply (without its number), or a promise of it. */
  #run(client: Client, request: Record<string, unknown>, op: unknown): unknown {
    switch (op) {
      case 'create': {
        const typeid = request['typeid'];
        const spec = typeof typeid === 'string' ? this.#types.get(typeid) : undefined;
        if (!spec?.create) {
          throw pyError('KeyError', `${describe(typeid)} is not a typeid this manager can create: register it (BaseManager.register) in the program that starts the manager.`);
        }
        const args = this.#args(request['args']);
        const made = withCaller(client, () => spec.create!(args, this.#resolver));
        const finish = (object: unknown): object => ({ ok: true, token: this.#serveNew(client, object, spec.typeid) });
        return made instanceof Promise ? made.then(finish) : finish(made);
      }
      case 'shutdown':
        setImmediate(() => this.shutdown());
        return { ok: true };
      case 'info':
        return { ok: true, value: toWire({ objects: this.#objects.size, clients: this.#clients.size }, 'info') };
      default:
        throw new TypeError(`Unknown request ${describe(op)}: a manager answers call, create, incref, decref, info and shutdown.`);
    }
  }

  #args(wire: unknown): unknown[] {
    const args = fromWire(wire, 'args');
    if (!Array.isArray(args)) throw new TypeError(`Expected the arguments as an array, got ${describe(args)}`);
    return args;
  }

  /** Serves `object` as `typeid` (the same object keeps its id) and counts one reference for `client`. */
  #serveNew(client: Client, object: unknown, typeid: string): Token {
    const spec = this.#types.get(typeid);
    if (!spec) throw pyError('KeyError', `the method's result is to be served as ${describe(typeid)}, which is not a registered typeid.`);
    if ((typeof object !== 'object' && typeof object !== 'function') || object === null) {
      throw new TypeError(`The callable of typeid '${typeid}' returned ${describe(object)}: it must return an object (or be a class).`);
    }
    let id = this.#idOf.get(object);
    let entry = id === undefined ? undefined : this.#objects.get(id);
    if (!entry) {
      id = this.#nextId++;
      const exposedList = spec.exposed ?? publicMethods(object);
      entry = { object, typeid, spec, exposed: new Set(exposedList), exposedList, refs: 0 };
      this.#objects.set(id, entry);
      this.#idOf.set(object, id);
    }
    this.#incref(client, id!);
    return { typeid, id: id!, address: this.address, exposed: entry.exposedList, kind: spec.kind };
  }

  #incref(client: Client, id: number): void {
    const entry = this.#objects.get(id);
    if (!entry) return;
    entry.refs++;
    client.refs.set(id, (client.refs.get(id) ?? 0) + 1);
  }

  #decref(id: number, count: number): void {
    const entry = this.#objects.get(id);
    if (!entry) return;
    entry.refs -= count;
    if (entry.refs <= 0) {
      this.#objects.delete(id);
      this.#idOf.delete(entry.object);
    }
  }

  #reply(client: Client, reply: Reply): void {
    if (!this.#clients.has(client)) return;
    try {
      client.conn.send(reply);
    } catch (error) {
      if (reply.ok) {
        // The result could not be sent (a function in it…): the caller hears why instead.
        try {
          client.conn.send({ rid: reply.rid, ok: false, error: errorToWire(error) });
          return;
        } catch {
          // fall through: the connection is broken
        }
      }
      this.#drop(client);
    }
  }

  /** Python's repr. */
  toString(): string {
    let where = '(not listening yet)';
    try {
      const address = this.address;
      where = typeof address === 'string' ? address : `${address[0]}:${address[1]}`;
    } catch {
      // port 0, not bound yet
    }
    return `<Server ${where}${this.#stopped ? ' stopped' : ''}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
