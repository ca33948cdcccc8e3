import { inspect } from 'node:util';
import { threadId } from 'node:worker_threads';
import { serialize } from 'node:v8';
import { randomBytes } from 'node:crypto';
import { DataCloneError, ProcessStateError } from './errors.js';
import { trackUser } from '@mp/native';
import { describeArena } from './internal/arena.js';
import { assertNotBootstrapping } from './internal/bootstrapping.js';
import { allocateToken, isTokenAlive } from './internal/isolates.js';
import { releaseIsolate } from './internal/lifetimes.js';
import { callerModule } from './internal/caller.js';
import { discard, encode, type Encoded } from './internal/codec.js';
import { describe } from './internal/describe.js';
import { preloadSharedTypes } from './internal/preload.js';
import { checkOptions } from './internal/options.js';
import { watchSignals } from './internal/exit.js';
import { keepAlive } from './internal/keep-alive.js';
import { runtime, slot } from './internal/runtime.js';
import { hostFor } from './internal/start-methods/index.js';
import type { BootData, ChildHandle, SpawnOptions } from './internal/start-methods/types.js';
import { assertStartMethod, getStartMethod, type StartMethod } from './start-method.js';
import { checkTarget, toTaskRef, type TaskRef } from './task-ref.js';

/** Anything that names a start method: the method itself, or a context made by `getContext()`. */
export interface StartMethodSource {
  readonly startMethod: StartMethod;
}

/**
 * Options of {@link Process}.
 *
 * @typeParam A - the target's parameters, inferred from `target`: `args` must match them
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ProcessOptions<A extends readonly unknown[] = any> {
  /** The function to run in the child: exported by the calling module, or `ref(module, name)`. */
  target?: ((...args: A) => unknown) | TaskRef;
  /** Arguments for the target, sent by structured clone (shared `@mp` objects by identity). */
  args?: A;
  /** @defaultValue `'Process-N'` (`'Process-N:M'` in a child) */
  name?: string;
  /** A daemon child is terminated when its parent exits. @defaultValue `false` */
  daemon?: boolean;
  /** The start method, or a context from `getContext()`. @defaultValue {@link getStartMethod}() at `start()` */
  context?: StartMethodSource | StartMethod;
}

/**
 * Makes `args` required when the target has required parameters, so that
 * `new Process({ target: greet })` for `greet(n: number)` does not compile.
 *
 * @typeParam A - the target's parameters
 */
export type RequiredArgs<A extends readonly unknown[]> = [] extends A ? unknown : { args: A };

const PROCESS_OPTIONS: readonly string[] = ['target', 'args', 'name', 'daemon', 'context'];

type Kind = 'child' | 'main' | 'self' | 'parent';

interface State {
  kind: Kind;
  name: string;
  daemon: boolean;
  identity: readonly number[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  targetFn: Function | undefined;
  target: TaskRef | undefined;
  args: readonly unknown[];
  subclass: TaskRef | undefined;
  method: StartMethod | undefined;
  handle: ChildHandle | undefined;
  spawn: SpawnOptions;
  exitCode: number | null;
  closed: boolean;
  pid: number | undefined;
  ident: number | undefined;
  parentPid: number | undefined;
  /** Python's `authkey`; made (32 random bytes) when first read, unless inherited. */
  authkey: Uint8Array | undefined;
  /** The child's isolate token, while it runs: its sentinel reads death from it without the event loop. */
  token: number | undefined;
  sentinel: ProcessSentinel | undefined;
}

const states = new WeakMap<Process, State>();

function stateOf(process: Process): State {
  const state = states.get(process);
  if (!state) throw new TypeError('This object is not a Process made by @mp/core (was it cloned?)');
  return state;
}

/** Marks the `Process` subclasses made by `getContext()`: they are not user subclasses. */
export const CONTEXT_METHOD: unique symbol = Symbol.for('@mp/core.context-method') as never;

/** The processes this isolate started and has not yet seen exit. */
export function liveChildren(): Set<Process> {
  return slot('children', () => new Set<Process>());
}

function toMethod(context: ProcessOptions['context']): StartMethod | undefined {
  if (context === undefined) return undefined;
  const method = typeof context === 'object' && context !== null ? context.startMethod : context;
  assertStartMethod(method, '`context` start method');
  return method;
}

const SIGNAL_NAMES: Record<number, string> = { [-15]: '-SIGTERM', [-9]: '-SIGKILL', [-2]: '-SIGINT', [-6]: '-SIGABRT' };

/**
 * A child running a function: on a worker thread (`'thread'`) or in a fresh
 * Node.js process (`'process'`). Create it, `start()` it, `join()` it.
 *
 * Python: `multiprocessing.Process`.
 *
 * @example
 * ```ts
 * import { Process, currentProcess, isMain } from '@mp/core';
 *
 * export function greet(n: number) {
 *   console.log(currentProcess().name, 'says', n);
 * }
 *
 * if (isMain(import.meta)) {
 *   const p = new Process({ target: greet, args: [1] });
 *   p.start();
 *   await p.join();
 *   console.log(p.exitCode); // 0
 * }
 * ```
 *
 * @typeParam A - the target's parameters, inferred from `options.target`; `args` is checked
 *   against them (a `ref()` target accepts any `args`)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Process<A extends readonly unknown[] = any> {
  /**
   * @param options - target, args, name, daemon, start method
   * @throws TypeError for a target that is neither a function nor a {@link TaskRef},
   *   `args` that is not an array, an unknown option, or an unknown start method
   */
  constructor(options?: ProcessOptions<A> & RequiredArgs<A>) {
    const { target, args = [], name, daemon = false, context } = checkOptions(options, PROCESS_OPTIONS, 'Process');
    if (!Array.isArray(args)) throw new TypeError(`Expected \`args\` to be an array, got ${describe(args)}`);
    if (name !== undefined && typeof name !== 'string') throw new TypeError(`Expected \`name\` to be a string, got ${describe(name)}`);
    if (typeof daemon !== 'boolean') throw new TypeError(`Expected \`daemon\` to be a boolean, got ${describe(daemon)}`);
    const bound = Object.hasOwn(new.target, CONTEXT_METHOD)
      ? (new.target as unknown as Record<typeof CONTEXT_METHOD, StartMethod>)[CONTEXT_METHOD]
      : undefined;
    const isSubclass = new.target !== Process && bound === undefined;
    const rt = runtime();
    const identity = [...rt.identity, ++rt.counter];
    states.set(this, {
      kind: 'child',
      name: name ?? `Process-${identity.join(':')}`,
      daemon,
      identity,
      targetFn: typeof target === 'function' ? target : undefined,
      target: target === undefined ? undefined : toTaskRef(target),
      args,
      subclass: isSubclass
        ? { module: callerModule({ constructorName: new.target.name }) ?? '', name: new.target.name }
        : undefined,
      method: toMethod(context) ?? bound,
      handle: undefined,
      spawn: {},
      exitCode: null,
      closed: false,
      pid: undefined,
      ident: undefined,
      parentPid: process.pid,
      // Python copies the creator's authkey into each new Process object.
      authkey: new Uint8Array(authkeyOf(stateOf(currentProcessObject()))),
      token: undefined,
      sentinel: undefined,
    });
  }

  /** The name, used only for identification. Python: `name`. */
  get name(): string {
    return stateOf(this).name;
  }

  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError(`Expected \`name\` to be a string, got ${describe(value)}`);
    stateOf(this).name = value;
  }

  /**
   * A daemon child is terminated when its parent exits; a non-daemon child is
   * waited for. Settable before `start()` only. Python: `daemon`.
   */
  get daemon(): boolean {
    return stateOf(this).daemon;
  }

  set daemon(value: boolean) {
    const state = stateOf(this);
    if (state.handle || state.kind !== 'child') throw new ProcessStateError('process has already started: daemon cannot be changed');
    if (typeof value !== 'boolean') throw new TypeError(`Expected \`daemon\` to be a boolean, got ${describe(value)}`);
    state.daemon = value;
  }

  /** The OS pid (for `'thread'`, the pid of the host process); `undefined` before `start()`. Python: `pid`. */
  get pid(): number | undefined {
    const state = stateOf(this);
    return state.handle?.pid ?? state.pid;
  }

  /** Unique per child: its pid (`'process'`) or worker `threadId` (`'thread'`). Python: `ident`. */
  get ident(): number | undefined {
    const state = stateOf(this);
    return state.handle?.ident ?? state.ident;
  }

  /**
   * `null` until the child ends; then 0 for success, 1 for an uncaught error,
   * n for `process.exit(n)`, -15 after `terminate()`, -9 after `kill()`.
   * Python: `exitcode`.
   */
  get exitCode(): number | null {
    return stateOf(this).exitCode;
  }

  /**
   * The authentication key: 32 random bytes made for the main program, copied
   * into each `Process` object when it is created, and inherited by the child.
   * `Listener` and `Client` of `@mp/ipc` use it when given no `authkey`.
   * Settable (a `Uint8Array`, copied).
   *
   * Python: `authkey`.
   *
   * @throws TypeError when set to something other than a `Uint8Array`
   * @example
   * ```ts
   * import { currentProcess } from '@mp/core';
   * console.log(currentProcess().authkey.length); // 32
   * ```
   */
  get authkey(): Uint8Array {
    return authkeyOf(stateOf(this));
  }

  set authkey(value: Uint8Array) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`Expected \`authkey\` to be a Uint8Array (or Buffer), got ${describe(value)}`);
    stateOf(this).authkey = new Uint8Array(value);
  }

  /**
   * An object that `wait()` of `@mp/ipc` sees as ready once the child has
   * ended. Known from `start()` on.
   *
   * Python: `sentinel`.
   *
   * @throws {@link ProcessStateError} before `start()`, or on a process object that is not a started child
   * @example
   * ```ts
   * import { wait } from '@mp/ipc';
   * const [first] = await wait([a.sentinel, b.sentinel]);
   * ```
   */
  get sentinel(): ProcessSentinel {
    const state = stateOf(this);
    if (state.kind !== 'child' || !state.handle) throw new ProcessStateError('process not started: sentinel exists from start() on');
    return (state.sentinel ??= new ProcessSentinel(state, state.handle.exited));
  }

  /**
   * Starts the child. Arguments are cloned now.
   *
   * Python: `start()`.
   *
   * @throws {@link ProcessStateError} when started twice, closed, or called while a child imports its target's module
   * @throws {@link DataCloneError} naming an argument that cannot be cloned
   * @throws `StartMethodError` for shared memory passed to a `'process'` child
   * @throws TypeError for a target function that cannot travel: anonymous or inline
   *   (`target: () => …`), bound or built-in (`Math.max`), imported, or not exported by the calling module
   */
  start(): void {
    const state = stateOf(this);
    if (state.kind !== 'child') throw new ProcessStateError(`cannot start ${state.name}: it is the ${state.kind === 'main' ? 'main' : 'current'} process`);
    if (state.closed) throw new ProcessStateError('process object is closed');
    if (state.handle) throw new ProcessStateError('cannot start a process twice');
    const rt = runtime();
    assertNotBootstrapping();
    // What the parent can tell about a bad target is an error here, not a child exiting 1.
    if (state.targetFn && state.target) checkTarget(state.targetFn, state.target, 'target');
    const method = state.method ?? getStartMethod();
    const host = hostFor(method);
    const context = { crossProcess: host.crossProcess, startMethod: method };
    const args = encode(state.args, context, 'args');
    const fields = encode({ ...this }, context, 'fields');
    preloadSharedTypes(args);
    preloadSharedTypes(fields);
    const memory = describeArena(host.crossProcess);
    const boot: BootData = {
      identity: state.identity,
      name: state.name,
      daemon: state.daemon,
      parent: { name: currentName(), pid: process.pid, ident: host.crossProcess ? process.pid : threadId, identity: rt.identity },
      startMethod: rt.startMethod,
      target: state.target,
      subclass: state.subclass,
      fields,
      args,
      arena: memory,
      token: memory ? allocateToken() : undefined,
      authkey: authkeyOf(state),
    };
    let handle: ChildHandle;
    try {
      if (host.crossProcess) assertSerializable(args, fields);
      handle = host.spawn(boot, state.spawn);
    } catch (error) {
      // Nothing reached a child: the token and the shared objects' copies in flight come back.
      if (boot.token !== undefined) releaseIsolate(boot.token);
      discard(args);
      discard(fields);
      if (error instanceof DataCloneError) throw error;
      if ((error as Error)?.name === 'DataCloneError') throw cloneError(args, error);
      throw error;
    }
    // A process child maps the segment: the tracker must keep it while the child lives.
    if (memory?.segment && host.crossProcess) trackUser(handle.pid);
    state.handle = handle;
    state.method = method;
    state.token = boot.token;
    const children = liveChildren();
    children.add(this);
    watchSignals(children);
    void handle.exited.then((code) => {
      state.exitCode = code;
      state.token = undefined;
      if (boot.token !== undefined) releaseIsolate(boot.token);
      children.delete(this);
      watchSignals(children);
    });
    if (state.daemon) handle.setRef(false);
  }

  /**
   * Waits until the child exits, or `timeout` ms pass (then it resolves
   * without error; check {@link Process.exitCode}). Keeps the event loop alive
   * while it waits.
   *
   * Python: `join(timeout=None)`.
   *
   * @param timeout - milliseconds; `undefined` waits without limit
   * @throws {@link ProcessStateError} (as a rejection) when the process was not started
   */
  async join(timeout?: number): Promise<void> {
    const state = stateOf(this);
    if (state.kind !== 'child') throw new ProcessStateError('can only join a child process');
    if (!state.handle) throw new ProcessStateError('can only join a started process');
    if (state.exitCode !== null) return;
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError(`Expected \`timeout\` to be a number of milliseconds or undefined, got ${describe(timeout)}`);
    }
    const release = keepAlive();
    let timer: NodeJS.Timeout | undefined;
    try {
      await (timeout === undefined
        ? state.handle.exited
        : Promise.race([state.handle.exited, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, timeout))))]));
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** True from `start()` until the child exits. Python: `is_alive()`. */
  isAlive(): boolean {
    const state = stateOf(this);
    if (state.kind === 'self' || state.kind === 'main' || state.kind === 'parent') return true;
    return state.handle !== undefined && state.exitCode === null;
  }

  /**
   * Ends the child: SIGTERM for `'process'`, `worker.terminate()` for
   * `'thread'`; its exit code becomes -15. Its own children are not
   * terminated (as in Python). Does nothing if the child is not running.
   *
   * Python: `terminate()`.
   */
  terminate(): void {
    const state = stateOf(this);
    if (state.handle && state.exitCode === null) state.handle.terminate();
  }

  /** Like {@link Process.terminate} with SIGKILL; exit code -9. Python: `kill()`. */
  kill(): void {
    const state = stateOf(this);
    if (state.handle && state.exitCode === null) state.handle.kill();
  }

  /**
   * Releases the process object. Allowed before `start()` and after the child
   * exited; afterwards `start()` throws.
   *
   * Python: `close()`.
   *
   * @throws {@link ProcessStateError} while the child is still running
   */
  close(): void {
    const state = stateOf(this);
    if (state.handle && state.exitCode === null) {
      throw new ProcessStateError(`Cannot close ${state.name} while it is still running: join() or terminate() it first`);
    }
    state.closed = true;
  }

  /**
   * The child's body: calls the target with the arguments. Subclasses may
   * override it (the subclass must be exported from its module, so that the
   * child can find it).
   *
   * Python: `run()`.
   *
   * @returns what the target returns (awaited by the child when it is a promise)
   */
  run(): unknown {
    const { targetFn, target, args } = stateOf(this);
    // A plain call, so that the child's stack reads `at work (…)`.
    if (targetFn) return targetFn(...args);
    if (target) throw new Error(`run() cannot call ${target.name} from ${target.module} here: start() the process instead`);
    return undefined;
  }

  /** Python's repr: `<Process name='Process-1' pid=123 parent=120 stopped exitcode=0>`. */
  toString(): string {
    const state = stateOf(this);
    let status: string;
    if (state.kind !== 'child') status = 'started';
    else if (state.closed) status = 'closed';
    else if (!state.handle) status = 'initial';
    else status = state.exitCode === null ? 'started' : 'stopped';
    const type = state.kind === 'main' ? '_MainProcess' : state.kind === 'parent' ? '_ParentProcess' : this.constructor.name;
    const info = [type, `name='${state.name}'`];
    if (state.handle && !state.closed) info.push(`pid=${state.handle.pid}`);
    else if (state.kind === 'parent') info.push(`pid=${state.pid}`);
    info.push(`parent=${state.parentPid ?? 'None'}`, status);
    if (status === 'stopped') info.push(`exitcode=${SIGNAL_NAMES[state.exitCode!] ?? state.exitCode}`);
    if (state.daemon) info.push('daemon');
    return `<${info.join(' ')}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}

function assertSerializable(...values: Encoded[]): void {
  for (const value of values) {
    try {
      serialize(value);
    } catch (error) {
      throw cloneError(value, error);
    }
  }
}

function cloneError(encoded: Encoded, error: unknown): DataCloneError {
  const value = encoded.value;
  const entries = Array.isArray(value) ? value.map((item, i) => [`args[${i}]`, item] as const) : [['fields', value] as const];
  for (const [path, item] of entries) {
    try {
      structuredClone(item);
      serialize(item);
    } catch (cause) {
      return new DataCloneError(`${path} cannot be sent to the child: ${(cause as Error).message}`, { cause });
    }
  }
  return new DataCloneError(`The arguments cannot be sent to the child: ${(error as Error)?.message}`, { cause: error });
}

function currentName(): string {
  return currentProcessObject().name;
}

/** @internal Options only other `@mp` packages set (pool workers' heap limits). */
export function setSpawnOptions(process: Process, options: SpawnOptions): void {
  stateOf(process).spawn = options;
}

/** @internal The running child's handle (its channel and exit), for other `@mp` packages. */
export function handleOf(process: Process): ChildHandle | undefined {
  return stateOf(process).handle;
}

/** @internal The target and arguments, for the child runtime. */
export function targetOf(process: Process): { target: TaskRef | undefined; args: readonly unknown[] } {
  const state = stateOf(process);
  return { target: state.target, args: state.args };
}

/** The process object of this isolate: `MainProcess`, or the child itself. */
export function currentProcessObject(): Process {
  return slot('current', () => {
    const main = Object.create(Process.prototype) as Process;
    states.set(main, {
      ...blank('MainProcess', []),
      kind: 'main',
      pid: process.pid,
      ident: process.pid,
      parentPid: undefined,
    });
    return main;
  });
}

function blank(name: string, identity: readonly number[]): State {
  return {
    kind: 'child', name, daemon: false, identity, targetFn: undefined, target: undefined, args: [],
    subclass: undefined, method: undefined, handle: undefined, spawn: {}, exitCode: null, closed: false,
    pid: undefined, ident: undefined, parentPid: undefined, authkey: undefined, token: undefined, sentinel: undefined,
  };
}

/** Bytes of a new authkey (Python: `os.urandom(32)`). */
const AUTHKEY_BYTES = 32;

function authkeyOf(state: State): Uint8Array {
  return (state.authkey ??= new Uint8Array(randomBytes(AUTHKEY_BYTES)));
}

/** Brand of {@link ProcessSentinel}s: it survives duplicate copies of this module. */
export const SENTINEL_BRAND: unique symbol = Symbol.for('@mp/core.ProcessSentinel') as never;

/**
 * What {@link Process.sentinel} returns: ready once the child has ended.
 * Pass it to `wait()` / `waitSync()` of `@mp/ipc`.
 *
 * Python: the `sentinel` handle of a process.
 *
 * @example
 * ```ts
 * p.start();
 * const sentinel = p.sentinel;
 * await sentinel.ended(); // like join()
 * ```
 */
export class ProcessSentinel {
  readonly [SENTINEL_BRAND] = true as const;
  readonly #state: State;
  readonly #exited: Promise<number>;

  /** @internal Made by {@link Process.sentinel}. */
  constructor(state: object, exited: Promise<number>) {
    this.#state = state as State;
    this.#exited = exited;
  }

  /**
   * Whether the child has ended, known without the event loop (a caller
   * blocked in `waitSync` sees it): the parent saw it exit, or its isolate
   * token says it is gone (its exit has begun, or its OS process is dead).
   *
   * @returns true once the child has ended
   */
  isReady(): boolean {
    const state = this.#state;
    if (state.exitCode !== null) return true;
    return state.token !== undefined && !isTokenAlive(state.token);
  }

  /**
   * Resolves once the parent has seen the child exit (then `exitCode` is set).
   * Does not keep the event loop alive by itself.
   *
   * @returns a promise of the exit code
   */
  ended(): Promise<number> {
    return this.#exited;
  }

  /** `<ProcessSentinel Process-1 running>` */
  toString(): string {
    return `<ProcessSentinel ${this.#state.name} ${this.isReady() ? 'ended' : 'running'}>`;
  }
}

/**
 * @internal In a child: makes `self` (a fresh object of the target's class)
 * the current process, with the identity its parent gave it.
 */
export function becomeCurrent(
  self: Process,
  boot: BootData,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  targetFn: Function | undefined,
  args: readonly unknown[],
  method: StartMethod,
): void {
  states.set(self, {
    ...blank(boot.name, boot.identity),
    kind: 'self',
    daemon: boot.daemon,
    target: boot.target,
    targetFn,
    args,
    method,
    pid: process.pid,
    ident: method === 'thread' ? threadId : process.pid,
    parentPid: boot.parent.pid,
    authkey: boot.authkey === undefined ? undefined : new Uint8Array(boot.authkey),
  });
  runtime().slots.set('current', self);
}

/** @internal In a child: the object `parentProcess()` returns. */
export function makeParent(boot: BootData): Process {
  const parent = Object.create(Process.prototype) as Process;
  states.set(parent, {
    ...blank(boot.parent.name, boot.parent.identity),
    kind: 'parent',
    pid: boot.parent.pid,
    ident: boot.parent.ident,
    parentPid: undefined,
  });
  return parent;
}
