import { inspect } from 'node:util';
import { currentProcess, defineShared, share, TimeoutError, type Shareable, type SharedState } from '@mp/core';
import { describe } from '@mp/core/internal';
import { EmptyError, FullError, TaskDoneError, type Address } from '@mp/ipc';
import { BrokenBarrierError, NotOwnerError, OverReleaseError } from '@mp/sync';
import { RemoteError } from './errors.js';
import { linkTo, show, type Link } from './internal/link.js';
import { heldByLocalServer } from './internal/local-servers.js';
import { checkToken, fromWire, PROXY_TYPE, toWire, type Reply, type Token } from './internal/wire.js';

/** What a proxy becomes when it travels: its token, and its manager's key when it is not the receiver's own. */
interface ProxyState {
  readonly token: Token;
  readonly authkey: Uint8Array | null | undefined;
}

/** Errors of @mp's own conditions, rebuilt as their classes (a fixed table: data never picks a class outside it). */
const KNOWN_ERRORS: ReadonlyMap<string, new (message: string) => Error> = new Map<string, new (message: string) => Error>([
  ['EmptyError', EmptyError],
  ['FullError', FullError],
  ['BrokenBarrierError', BrokenBarrierError],
  ['OverReleaseError', OverReleaseError],
  ['NotOwnerError', NotOwnerError],
  ['TimeoutError', TimeoutError],
  ['TaskDoneError', TaskDoneError],
]);

/** Turns a failed reply into the error the caller sees. */
function toError(error: Extract<Reply, { ok: false }>['error']): Error {
  const remote = new RemoteError(error);
  const Known = KNOWN_ERRORS.get(error.name);
  if (!Known) return remote;
  const local = new Known(error.message);
  local.cause = remote;
  return local;
}

/** The result of a reply: a value, or a new proxy. */
export function resultOf(reply: Reply, authkey: Uint8Array | null): unknown {
  if (!reply.ok) throw toError(reply.error);
  if (reply.token) return makeProxy(checkToken(reply.token), authkey, true);
  return reply.value === undefined ? undefined : fromWire(reply.value, 'the reply');
}

/** The proxies GC collected: their references in the manager are dropped. */
const collected = new FinalizationRegistry<{ address: Address; authkey: Uint8Array | null; id: number }>(({ address, authkey, id }) => {
  try {
    linkTo(address, authkey).notify({ op: 'decref', id });
  } catch {
    // The manager shut down: nothing to drop.
  }
});

/**
 * The module a receiver loads to rebuild a proxy: the package's entry, which
 * defines every proxy class (this file is bundled into a chunk beside it).
 */
const PACKAGE_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './index.ts' : './index.js', import.meta.url).href;

const sameKey = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && Buffer.compare(a, b) === 0;

/**
 * A reference to an object that lives in a manager process: each method call
 * crosses to the manager, runs there, and its result (or error) comes back.
 * Proxies are made by a manager (`manager.dict()`, `manager.create(…)`), and
 * can be passed to children (`Process` args, pool tasks, queue items) and to
 * other objects of the same manager; the copy reconnects to the manager on the
 * other side (with the inherited authkey, as in CPython).
 *
 * Python: `multiprocessing.managers.BaseProxy`.
 *
 * @example
 * ```ts
 * const d = await manager.dict();
 * await d.callMethod('set', ['a', 1]); // what d.set('a', 1) does
 * ```
 */
export class BaseProxy implements Shareable {
  static {
    defineShared(PROXY_TYPE, (state: ProxyState) => reviveProxy(state));
  }

  readonly #token: Token;
  readonly #authkey: Uint8Array | null;

  /**
   * Proxies are made by a manager; this constructor is for the package's
   * proxy classes.
   *
   * @param token - which object of which manager
   * @param authkey - the manager's key (`null`: none)
   * @internal
   */
  constructor(token: Token, authkey: Uint8Array | null) {
    this.#token = token;
    this.#authkey = authkey;
  }

  /** The manager's type name of the referent (`'dict'`, a registered typeid). Python: `_token.typeid`. */
  get typeid(): string {
    return this.#token.typeid;
  }

  /** The address of the manager that holds the referent. Python: `_token.address`. */
  get address(): Address {
    return this.#token.address;
  }

  /** The referent's number in its manager (Python: `_token.id`). */
  get id(): number {
    return this.#token.id;
  }

  /** The methods of the referent that can be called (Python: `_exposed_`). */
  get exposed(): readonly string[] {
    return this.#token.exposed;
  }

  /**
   * Calls a method of the referent in the manager and returns its result:
   * a value, or a proxy when the type was registered with `methodToTypeid`
   * for that method.
   *
   * Python: `_callmethod(methodname, args=())`.
   *
   * @param method - one of {@link BaseProxy.exposed}
   * @param args - data, or proxies of this or another manager
   * @returns the method's result
   * @throws {@link RemoteError} (rejection) for an error raised by the method in the manager (or the local class of a known error such as `EmptyError`, with the `RemoteError` as cause)
   * @throws {@link ManagerStateError} (rejection) when the manager is not running
   * @throws DataCloneError when an argument cannot be sent
   * @example
   * ```ts
   * await list.callMethod('append', [4]);
   * ```
   */
  callMethod(method: string, args: readonly unknown[] = []): Promise<unknown> {
    let reply: Promise<Reply>;
    try {
      if (typeof method !== 'string') throw new TypeError(`Expected \`method\` to be a method name, got ${describe(method)}`);
      const wire = toWire([...args], 'args');
      reply = this.#link().request({ op: 'call', id: this.#token.id, method, args: wire });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return reply.then(this.#settle);
  }

  /** The reply's result (one function per proxy, not one per call). */
  readonly #settle = (reply: Reply): unknown => resultOf(reply, this.#authkey);

  /** The connection to the manager, looked up again once closed (the manager shut down, went away, or restarted). */
  #link(): Link {
    let link = this.#cachedLink;
    if (link === undefined || link.closed) this.#cachedLink = link = linkTo(this.#token.address, this.#authkey);
    return link;
  }

  #cachedLink: Link | undefined;

  /** @internal Counts this proxy in the manager (unless the reply that made it did) until GC collects it. */
  track(counted: boolean): this {
    const { address, id } = this.#token;
    if (!counted) {
      if (!heldByLocalServer(address, id)) linkTo(address, this.#authkey).notify({ op: 'incref', id });
    }
    collected.register(this, { address, authkey: this.#authkey, id }, this);
    return this;
  }

  /** @internal Travels as its token: the copy reconnects to the manager. */
  [share](): SharedState {
    // Its reference now also stands for the copies in flight: it is dropped with the connection, not by GC.
    collected.unregister(this);
    const authkey = this.#authkey;
    const own = authkey !== null && sameKey(authkey, currentProcess().authkey);
    return { type: PROXY_TYPE, module: PACKAGE_ENTRY, state: { token: this.#token, authkey: own ? undefined : authkey } };
  }

  /** Python's repr: `<DictProxy object, typeid 'dict' at 127.0.0.1:4000 #3>`. */
  toString(): string {
    return `<${this.constructor.name} object, typeid '${this.#token.typeid}' at ${show(this.#token.address)} #${this.#token.id}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}

type ProxyClass = new (token: Token, authkey: Uint8Array | null) => BaseProxy;

/** The proxy classes by kind; filled by the package's own proxy modules only. */
const KINDS = new Map<string, ProxyClass>();

/** @internal Names the proxy class of a kind. */
export function defineProxyKind(kind: string, cls: ProxyClass): void {
  KINDS.set(kind, cls);
}

/** @internal Builds the proxy of a token (unknown kinds get the generic proxy). */
export function makeProxy(token: Token, authkey: Uint8Array | null, counted: boolean): BaseProxy {
  const Class = KINDS.get(token.kind);
  const proxy = Class ? new Class(token, authkey) : new BaseProxy(token, authkey);
  proxy.track(counted);
  return Class ? proxy : withExposedMethods(proxy, token);
}

/**
 * The generic proxy of a registered type (Python's `AutoProxy`): a JS Proxy
 * that gives each exposed name a method calling it in the manager. `then` is
 * never one, so that a proxy can be awaited as a value; the BaseProxy's own
 * members come bound to it (for its private fields).
 */
function withExposedMethods(target: BaseProxy, token: Token): BaseProxy {
  const exposed = new Set(token.exposed);
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(target, {
    get: (proxied, property) => {
      if (typeof property === 'string' && property !== 'then' && exposed.has(property) && !(property in proxied)) {
        let method = methods.get(property);
        if (!method) methods.set(property, (method = (...args: unknown[]) => proxied.callMethod(property, args)));
        return method;
      }
      const value: unknown = Reflect.get(proxied, property, proxied);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(proxied) : value;
    },
  });
}

function reviveProxy(state: ProxyState): BaseProxy {
  const token = checkToken((state as Partial<ProxyState> | null)?.token);
  const given = (state as Partial<ProxyState>).authkey;
  // The key of the receiving process when none travelled: children inherit it (CPython's rule).
  const authkey = given instanceof Uint8Array ? given : given === null ? null : currentProcess().authkey;
  return makeProxy(token, authkey, false);
}
