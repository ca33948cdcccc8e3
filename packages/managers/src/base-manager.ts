import { inspect } from 'node:util';
import { currentProcess, Process, ref, type Context, type StartMethod, type TaskRef } from '@mp/core';
import { checkOptions, checkTarget, describe, loadFunction, toTaskRef } from '@mp/core/internal';
import { Pipe, type Address } from '@mp/ipc';
import { resultOf, type BaseProxy } from './base-proxy.js';
import { ManagerStateError, RemoteError } from './errors.js';
import { closeLinks, linkTo, reopened, show } from './internal/link.js';
import { toSpecs, type ServerConfig, type TypeConfig } from './internal/registry.js';
import { toWire, type WireError } from './internal/wire.js';
import type { AutoProxy } from './proxies/auto.js';
import { Server } from './server.js';

const PACKAGE_ROOT = new URL('.', import.meta.url).href;
/** The manager process's entry (a file of its own in dist/). */
const SERVER_ENTRY = new URL('./entry/server-main.js', import.meta.url);
/** How long `shutdown()` waits for the manager process to end before terminating it. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Options of {@link BaseManager.register}. */
export interface RegisterOptions {
  /** The methods proxies may call. @defaultValue the referent's public methods (names not starting with `_`, not `constructor`) */
  exposed?: readonly string[];
  /** Methods whose result is served as an object of another typeid (a proxy is returned). Python: `method_to_typeid`. */
  methodToTypeid?: Readonly<Record<string, string>>;
  /** Whether the manager gets a method `typeid(...args)` making new objects. @defaultValue true */
  create?: boolean;
}

/** Options of {@link BaseManager}. */
export interface ManagerOptions {
  /** Where the manager listens: `[host, port]` (port 0 picks one) or a Unix socket path. @defaultValue a new Unix socket */
  address?: Address;
  /** The key clients must have. @defaultValue `currentProcess().authkey` (inherited by children) */
  authkey?: Uint8Array;
  /** The start method of the manager process. @defaultValue the program's start method */
  context?: Context | StartMethod;
}

const MANAGER_OPTIONS: readonly string[] = ['address', 'authkey', 'context'];

interface Registered {
  readonly config: TypeConfig;
  readonly fn: Function | undefined;
}

const registries = new WeakMap<Function, Map<string, Registered>>();

function registryOf(cls: Function): Map<string, Registered> {
  let own = registries.get(cls);
  if (!own) {
    const parent = Object.getPrototypeOf(cls) as Function | null;
    own = new Map(parent && parent !== Function.prototype ? registryOf(parent) : []);
    registries.set(cls, own);
  }
  return own;
}

let managers = 0;

/**
 * A manager: a server process holding objects that other processes use
 * through proxies. Register types with {@link BaseManager.register}, then
 * `start()` a manager process, `connect()` to a running one, or run the server
 * in this program with `getServer().serveForever()`.
 *
 * Python: `multiprocessing.managers.BaseManager(address=None, authkey=None)`.
 *
 * @example
 * {@includeCode ../../../apps/examples/src/manager.ts#register}
 */
export class BaseManager implements AsyncDisposable {
  readonly #own = new Map<string, Registered>();
  readonly #requested: Address | undefined;
  readonly #authkey: Uint8Array;
  readonly #context: Context | StartMethod | undefined;
  #state: 'initial' | 'started' | 'connected' | 'shutdown' = 'initial';
  #address: Address | undefined;
  #process: Process | undefined;

  /**
   * @param options - address, authkey, context
   * @throws TypeError for an unknown option, a bad address or authkey
   */
  constructor(options?: ManagerOptions) {
    const { address, authkey, context } = checkOptions(options, MANAGER_OPTIONS, 'BaseManager');
    if (authkey !== undefined && !(authkey instanceof Uint8Array)) {
      throw new TypeError(`Expected \`authkey\` to be a Uint8Array (or Buffer), got ${describe(authkey)}`);
    }
    this.#requested = address;
    this.#authkey = authkey === undefined ? currentProcess().authkey : new Uint8Array(authkey);
    this.#context = context;
  }

  /**
   * Registers a type for every manager of this class (and its subclasses):
   * `typeid` names it, `callable` makes its objects in the manager (a function
   * or class exported by its module, passed by reference as `Process`
   * targets are; omit it in a program that only connects), and a method
   * `manager[typeid](...args)` is added that returns a proxy.
   *
   * Python: `BaseManager.register(typeid, callable=None, proxytype=None, exposed=None, method_to_typeid=None, create_method=True)`.
   *
   * @param typeid - the type's name (not the name of a manager method)
   * @param callable - an exported function or class, or `ref(module, name)`
   * @param options - exposed, methodToTypeid, create
   * @throws TypeError for a bad typeid, a callable that is not exported, or an unknown option
   * @example
   * {@includeCode ../../../apps/examples/src/manager.ts#register}
   */
  static register(typeid: string, callable?: Function | TaskRef, options?: RegisterOptions): void {
    const entry = makeEntry(typeid, callable, options, this.prototype);
    registryOf(this).set(typeid, entry);
    if (entry.config.create) addCreateMethod(this.prototype, typeid);
  }

  /**
   * Registers a type for this manager only (before `start()`). See the static
   * {@link BaseManager.register}.
   *
   * @param typeid - the type's name
   * @param callable - an exported function or class, or `ref(module, name)`
   * @param options - exposed, methodToTypeid, create
   * @throws TypeError as the static form; {@link ManagerStateError} after start
   */
  register(typeid: string, callable?: Function | TaskRef, options?: RegisterOptions): void {
    if (this.#state !== 'initial') throw new ManagerStateError(`register('${typeid}') must come before start(), connect() or getServer().`);
    const entry = makeEntry(typeid, callable, options, Object.getPrototypeOf(this) as object);
    this.#own.set(typeid, entry);
  }

  /** The authkey clients must have. Python: `_authkey`. */
  get authkey(): Uint8Array {
    return this.#authkey;
  }

  /**
   * Where the manager listens (after `start()` or `connect()`): give it, with
   * the authkey, to `connect()` in another program. Python: `address`.
   *
   * @throws {@link ManagerStateError} before start when no address was given
   */
  get address(): Address {
    const address = this.#address ?? this.#requested;
    if (address === undefined || (typeof address !== 'string' && address[1] === 0)) {
      throw new ManagerStateError('The address is chosen when the manager starts: read `address` after `await manager.start()`.');
    }
    return address;
  }

  /** The manager process (after `start()`). Python: `_process`. */
  get process(): Process | undefined {
    return this.#process;
  }

  #types(): TypeConfig[] {
    const merged = new Map(registryOf(this.constructor));
    for (const [typeid, entry] of this.#own) merged.set(typeid, entry);
    return [...merged.values()].map((entry) => entry.config);
  }

  /**
   * Starts the manager process and waits until it listens. It is a daemon
   * child: it ends with this program, however this program ends (SIGKILL
   * included).
   *
   * Python: `start(initializer=None, initargs=())`.
   *
   * @returns this manager, started
   * @throws {@link ManagerStateError} (rejection) when already started, or when the manager process could not start (its error as `cause`)
   * @example
   * ```ts
   * import { SyncManager } from '@mp/managers';
   * const manager = await new SyncManager().start();
   * await manager.shutdown();
   * ```
   */
  async start(): Promise<this> {
    if (this.#state !== 'initial') throw new ManagerStateError(`Already started server: this manager is ${this.#state}; make a new manager to start another.`);
    this.#state = 'started';
    const config: ServerConfig = { types: this.#types(), address: this.#requested, authkey: this.#authkey };
    const [reader, writer] = Pipe(false);
    const options = { target: ref(SERVER_ENTRY, 'serveManager'), args: [config, writer], daemon: true, name: `${this.constructor.name}-${++managers}` };
    const child = new Process(this.#context === undefined ? options : { ...options, context: this.#context });
    this.#process = child;
    let message: { address?: Address; error?: WireError };
    try {
      child.start();
      writer.close();
      message = (await reader.recv()) as typeof message;
    } catch (error) {
      await child.join(SHUTDOWN_GRACE_MS);
      this.#state = 'shutdown';
      throw new ManagerStateError(`The manager process did not start (exit code ${child.exitCode}): ${(error as Error).message}`, { cause: error });
    } finally {
      reader.close();
    }
    if (message.error || message.address === undefined) {
      await child.join(SHUTDOWN_GRACE_MS);
      this.#state = 'shutdown';
      const cause = message.error ? new RemoteError(message.error) : undefined;
      throw new ManagerStateError(`The manager process could not serve: ${message.error?.message ?? 'it sent no address'}`, { cause });
    }
    this.#address = message.address;
    reopened(this.#address);
    return this;
  }

  /**
   * Connects to a manager that runs elsewhere (another program, started with
   * `getServer().serveForever()` or `start()`), at `options.address`, with
   * `options.authkey`.
   *
   * Python: `connect()`.
   *
   * @returns this manager, connected
   * @throws {@link ManagerStateError} (rejection) without an address, when already started, or when nobody listens there
   * @throws {@link @mp/ipc!AuthenticationError} (rejection) when the keys differ
   * @example
   * {@includeCode ../../../apps/examples/src/manager.ts#connect}
   */
  async connect(): Promise<this> {
    if (this.#state !== 'initial') throw new ManagerStateError(`connect() on a manager that is ${this.#state}: make a new manager object.`);
    if (this.#requested === undefined) throw new ManagerStateError('connect() needs the address of the running manager: new BaseManager({ address, authkey }).');
    reopened(this.#requested);
    await linkTo(this.#requested, this.#authkey).request({ op: 'info' });
    this.#address = this.#requested;
    this.#state = 'connected';
    return this;
  }

  /**
   * A server for this manager's types that runs in this program (no manager
   * process): `await server.serveForever()` serves until a client calls
   * `shutdown()`.
   *
   * Python: `get_server()`.
   *
   * @returns the server; `await server.ready` before reading its `address`
   * @throws {@link ManagerStateError} after `start()` or `connect()`
   * @example
   * {@includeCode ../../../apps/examples/src/manager.ts#server}
   */
  getServer(): Server {
    if (this.#state !== 'initial') throw new ManagerStateError(`getServer() on a manager that is ${this.#state}.`);
    const own = new Map(registryOf(this.constructor));
    for (const [typeid, entry] of this.#own) own.set(typeid, entry);
    const specs = toSpecs(this.#types(), (config) => own.get(config.typeid)?.fn, (ref, typeid) => loadFunction(ref, `callable of typeid '${typeid}'`));
    return new Server(specs, { address: this.#requested, authkey: this.#authkey });
  }

  /**
   * Makes a new object of a registered typeid in the manager and returns its
   * proxy (what the method `manager[typeid]()` does).
   *
   * Python: `_create(typeid, *args)` followed by the proxy type.
   *
   * @typeParam T - the referent's type
   * @param typeid - a typeid the manager serves
   * @param args - its callable's arguments (data or proxies)
   * @returns a proxy
   * @throws {@link ManagerStateError} (rejection) before `start()`/`connect()` or after `shutdown()`
   * @throws {@link RemoteError} (rejection) `KeyError` for a typeid the manager does not serve, or the callable's error
   * @example
   * ```ts
   * const counter = await manager.create<Counter>('Counter', 10);
   * ```
   */
  async create<T = unknown>(typeid: string, ...args: unknown[]): Promise<AutoProxy<T>> {
    const address = this.#ready();
    const reply = await linkTo(address, this.#authkey).request({ op: 'create', typeid, args: toWire(args, 'args') });
    return resultOf(reply, this.#authkey) as AutoProxy<T>;
  }

  /**
   * How many objects the manager holds (for checks that nothing leaks).
   * Python: `_number_of_objects()`.
   *
   * @returns the count
   * @throws {@link ManagerStateError} (rejection) when not running
   */
  async objectCount(): Promise<number> {
    const address = this.#ready();
    const reply = await linkTo(address, this.#authkey).request({ op: 'info' });
    return (resultOf(reply, this.#authkey) as { objects: number }).objects;
  }

  #ready(): Address {
    if (this.#state === 'initial') throw new ManagerStateError('Manager has not been started: await manager.start() (or connect()) first.');
    if (this.#state === 'shutdown') throw new ManagerStateError(`The manager at ${this.#address ? show(this.#address) : '?'} has shut down: make a new manager.`);
    return this.#address!;
  }

  /**
   * Stops the manager process (after it answers, or by terminating it after
   * a second); its proxies fail with {@link ManagerStateError} from then on,
   * in this program and in children. A connected manager only closes its
   * connection. Calling it again does nothing.
   *
   * Python: `shutdown()`.
   *
   * @returns when the manager process has ended
   * @example
   * ```ts
   * await manager.shutdown();
   * ```
   */
  async shutdown(): Promise<void> {
    const state = this.#state;
    if (state === 'initial' || state === 'shutdown') return;
    this.#state = 'shutdown';
    const address = this.#address!;
    if (state === 'started') {
      try {
        await linkTo(address, this.#authkey).request({ op: 'shutdown' });
      } catch {
        // Already gone: nothing to ask.
      }
    }
    closeLinks(address);
    const child = this.#process;
    if (child) {
      await child.join(SHUTDOWN_GRACE_MS);
      if (child.exitCode === null) {
        child.terminate();
        await child.join();
      }
    }
  }

  /** `await using manager = …` shuts it down at the end of the scope (Python: `with manager:`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Python's repr. */
  toString(): string {
    const where = this.#address ? ` ${show(this.#address)}` : '';
    return `<${this.constructor.name}${where} ${this.#state}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Manager methods that a typeid may not take the name of. */
function isReserved(prototype: object, typeid: string, created: ReadonlySet<string>): boolean {
  if (created.has(typeid)) return false;
  return typeid in prototype || typeid.startsWith('_') || typeid === 'then';
}

const createdMethods = new WeakMap<object, Set<string>>();

function createdOn(prototype: object): Set<string> {
  let set = createdMethods.get(prototype);
  if (!set) createdMethods.set(prototype, (set = new Set()));
  return set;
}

function makeEntry(typeid: unknown, callable: unknown, options: RegisterOptions | undefined, prototype: object): Registered {
  const { exposed, methodToTypeid, create } = checkOptions(options, ['exposed', 'methodToTypeid', 'create'], 'register');
  if (typeof typeid !== 'string' || !/^[A-Za-z$][\w$]*$/.test(typeid)) {
    throw new TypeError(`Expected \`typeid\` to be a name (letters, digits, _ and $, not starting with _ or a digit), got ${describe(typeid)}`);
  }
  if (isReserved(prototype, typeid, createdOn(prototype)) && !BUILTIN_NAMES.has(typeid)) {
    throw new TypeError(`'${typeid}' is the name of a manager method: choose another typeid.`);
  }
  if (exposed !== undefined && (!Array.isArray(exposed) || !exposed.every((name) => typeof name === 'string'))) {
    throw new TypeError(`Expected \`exposed\` to be an array of method names, got ${describe(exposed)}`);
  }
  const pairs = Object.entries(methodToTypeid ?? {});
  if (!pairs.every(([, value]) => typeof value === 'string')) throw new TypeError(`Expected \`methodToTypeid\` to map method names to typeids, got ${describe(methodToTypeid)}`);
  let taskRef: TaskRef | undefined;
  if (callable !== undefined && callable !== null) {
    taskRef = toTaskRef(callable, 'callable', [PACKAGE_ROOT]);
    if (typeof callable === 'function') checkTarget(callable, taskRef, 'callable');
  }
  const fn = typeof callable === 'function' ? (callable as Function) : undefined;
  return {
    fn,
    config: {
      typeid,
      builtin: false,
      ref: taskRef,
      exposed: exposed === undefined ? undefined : [...exposed],
      methodToTypeid: pairs,
      create: create ?? true,
    },
  };
}

/** SyncManager's typeids (its own methods make them). */
const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'dict', 'list', 'Namespace', 'Value', 'Array', 'Queue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier',
]);

/** Adds `manager[typeid](...args)` (Python adds a method of that name to the class). */
function addCreateMethod(prototype: object, typeid: string): void {
  if (Object.hasOwn(prototype, typeid)) return;
  createdOn(prototype).add(typeid);
  Object.defineProperty(prototype, typeid, {
    configurable: true,
    writable: true,
    value: function (this: BaseManager, ...args: unknown[]): Promise<BaseProxy> {
      return this.create(typeid, ...args);
    },
  });
}

/** @internal SyncManager's registration of its own types. */
export function registerBuiltins(cls: Function): void {
  const registry = registryOf(cls);
  for (const typeid of BUILTIN_NAMES) {
    registry.set(typeid, { fn: undefined, config: { typeid, builtin: true, ref: undefined, exposed: undefined, methodToTypeid: [], create: true } });
  }
}
