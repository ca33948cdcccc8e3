import { availableParallelism } from 'node:os';
import { describe } from './describe.js';
import { keepAlive } from './keep-alive.js';
import { slot } from './runtime.js';
import { tsxApiFor, tsxApiOfParent } from './typescript.js';

/**
 * Warm spares — the analogue of Python's `forkserver`: a few children of each
 * start method, started ahead of need, that have loaded `@mp/core`'s child
 * runtime and wait for their boot data. `spawn()` hands the boot data to a
 * ready spare and starts a replacement in the background.
 *
 * Each spare becomes exactly one child (it is never reused), and nothing is
 * started before a program's first child (a program that never starts one pays
 * nothing). Spares do not keep the program alive and die with it; see the start
 * methods for how.
 *
 * How many: the configured base ({@link setSpares}, else `MP_SPARES`, else
 * {@link DEFAULT_SPARES}); after a burst of starts (a `Pool(4)`, ten children
 * started in one turn of the event loop) the stock grows to the size of the
 * largest recent burst, up to {@link MAX_SPARES}. 0 turns spares off.
 */

/** The base number of spares per start method when neither {@link setSpares} nor `MP_SPARES` says otherwise. */
export const DEFAULT_SPARES = 2;

/** The most spares kept per start method, however large the bursts. */
export const MAX_SPARES = 16;

/** The environment variable that sets the base number of spares (`0` turns them off). */
export const SPARES_ENV = 'MP_SPARES';

/**
 * How many spares may boot at once. Booting Node.js is CPU-bound: one at a time
 * (on 2 cores) leaves a core to the children that run meanwhile, and the first
 * replacement is ready after one boot rather than after all of them.
 */
const MAX_BOOTS = Math.max(1, availableParallelism() - 1);

/** The longest replacements wait for the children started before them to end. */
const REFILL_DELAY_MS = 100;

/**
 * How long a burst is remembered (the stock shrinks back to the base after this much quiet). A
 * program that started ten children at once tends to do it again (a batch, a test suite, a
 * periodic job): minutes, not seconds, so the next burst finds its spares loaded.
 */
const BURST_MEMORY_MS = 180_000;

interface Config {
  /** Set by {@link setSpares}; `undefined`: from the environment. */
  count: number | undefined;
}

function config(): Config {
  return slot<Config>('spares-config', () => ({ count: undefined }));
}

function checkCount(count: unknown, what: string): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_SPARES) {
    throw new TypeError(
      `Expected ${what} to be an integer from 0 to ${MAX_SPARES} (how many warm spares to keep ready; 0 turns them off), ` +
        `got ${describe(count)}`,
    );
  }
  return count;
}

/**
 * Sets how many warm spares each start method keeps ready (per thread that
 * starts children): pre-started worker threads (`'thread'`) or Node.js
 * processes (`'process'`) that have already loaded `@mp/core`'s child runtime,
 * so that `start()` only hands them their target. `0` turns spares off: every
 * child is started cold, and the idle spares end now. A larger number takes
 * effect now for the start methods already used here (the spares start in the
 * background), at the first `start()` for the others. After a burst of starts the stock grows to the size
 * of the burst (at most 16) for a while. `undefined` goes back to the default:
 * the `MP_SPARES` environment variable, else 2.
 *
 * Python: no direct counterpart; the closest is the `'forkserver'` start method.
 *
 * @param count - an integer from 0 to 16, or `undefined`
 * @throws TypeError for anything else
 * @example
 * ```ts
 * import { setSpares } from '@mp/core';
 * setSpares(0); // every child starts cold (the time to start Node shows again)
 * ```
 */
export function setSpares(count: number | undefined): void {
  config().count = count === undefined ? undefined : checkCount(count, 'the number of spares');
  // Now, not at the next start: fewer ends the extra spares; more starts them (in the
  // background) for the start methods this thread has used (no others: spares start lazily).
  for (const stock of stocks()) {
    stock.trim();
    stock.refill();
  }
}

/**
 * The base number of spares per start method now in force: {@link setSpares}'s,
 * else `MP_SPARES`'s, else 2.
 *
 * @returns an integer from 0 to 16
 * @throws TypeError when `MP_SPARES` is set to something other than an integer from 0 to 16
 * @example
 * ```ts
 * import { getSpares } from '@mp/core';
 * console.log(getSpares()); // 2
 * ```
 */
export function getSpares(): number {
  const set = config().count;
  if (set !== undefined) return set;
  const env = process.env[SPARES_ENV];
  if (env === undefined || env.trim() === '') return DEFAULT_SPARES;
  const value = Number(env);
  return checkCount(Number.isInteger(value) ? value : env, `${SPARES_ENV}`);
}

/** What a start method gives its {@link SpareStock}. */
export interface SpareKind<S> {
  /** Starts a spare. It must not keep the program alive. */
  make(): S;
  /** Whether it can still be handed a child (it has not died). */
  usable(spare: S): boolean;
  /** Whether it has loaded the child runtime (one still loading is still better than none). */
  ready(spare: S): boolean;
  /** Resolves once it has loaded the child runtime, or died. Must not keep the program alive. */
  whenReady(spare: S): Promise<unknown>;
  /** Ends an unused spare. */
  dispose(spare: S): void;
}

/** The spares of one start method in one isolate. */
export class SpareStock<S> {
  readonly #kind: SpareKind<S>;
  readonly #spares: S[] = [];
  /** Starts in the current burst (reset after each turn of the event loop). */
  #burst = 0;
  #burstTimer: NodeJS.Immediate | undefined;
  /** The largest recent burst, and when it was seen. */
  #peak = 0;
  #peakAt = 0;
  #refill: NodeJS.Immediate | undefined;
  /** Spares started that have not loaded yet. */
  #booting = 0;
  /** Children started from this stock that have neither ended nor run for {@link REFILL_DELAY_MS}. */
  #young = 0;

  constructor(kind: SpareKind<S>) {
    this.#kind = kind;
    stocks().add(this as SpareStock<unknown>);
  }

  /** How many spares to keep now. */
  #wanted(): number {
    const base = getSpares();
    if (base === 0) return 0;
    if (performance.now() - this.#peakAt > BURST_MEMORY_MS) this.#peak = 0;
    return Math.min(MAX_SPARES, Math.max(base, this.#peak));
  }

  /**
   * A ready spare for one child, or `undefined` (then start it cold). Either
   * way, counts the start; the caller then calls {@link refillAfter}.
   */
  take(): S | undefined {
    this.#count();
    this.#dropDead();
    // The first that has loaded, else the one started first (the nearest to loaded).
    const at = Math.max(0, this.#spares.findIndex((spare) => this.#kind.ready(spare)));
    return this.#spares.splice(at, 1)[0];
  }

  /**
   * Starts the replacements once every child started recently from this stock
   * (`done`: the exit of the one just started) has ended, or has run for
   * {@link REFILL_DELAY_MS}: a Node.js booting beside them would take the
   * core they run on (on 2 cores), and most children of a start-then-join, or
   * of ten started at once, are done sooner.
   */
  refillAfter(done: Promise<unknown>): void {
    this.#young++;
    let counted = true;
    const grown = () => {
      if (!counted) return;
      counted = false;
      clearTimeout(timer);
      if (--this.#young === 0) this.refill();
    };
    const timer = setTimeout(grown, REFILL_DELAY_MS).unref();
    void done.then(grown);
  }

  #dropDead(): void {
    for (let i = 0; i < this.#spares.length; ) {
      if (this.#kind.usable(this.#spares[i]!)) i++;
      else this.#kind.dispose(this.#spares.splice(i, 1)[0]!);
    }
  }

  /** Counts one start in the current burst. */
  #count(): void {
    this.#burst++;
    if (this.#burst >= this.#peak) {
      this.#peak = this.#burst;
      this.#peakAt = performance.now();
    }
    this.#burstTimer ??= setImmediate(() => {
      this.#burstTimer = undefined;
      this.#burst = 0;
    }).unref();
  }

  /**
   * Starts the missing spares after this turn of the event loop: the child
   * just started gets the head start, and a burst is counted whole first.
   * While young children run (see {@link refillAfter}) it waits for them.
   */
  refill(): void {
    this.#refill ??= setImmediate(() => {
      this.#refill = undefined;
      if (this.#young === 0) this.fill();
    }).unref();
  }

  /** Starts spares until the stock has what it wants, {@link MAX_BOOTS} at a time (the next when one has loaded). */
  fill(): void {
    const wanted = this.#wanted();
    this.#dropDead();
    while (this.#spares.length < wanted && this.#booting < MAX_BOOTS) {
      const spare = this.#kind.make();
      this.#spares.push(spare);
      this.#booting++;
      void this.#kind.whenReady(spare).then(() => {
        this.#booting--;
        this.refill();
      });
    }
    this.trim();
  }

  /** Ends the spares beyond what is wanted now (after `setSpares()` lowered the count). */
  trim(): void {
    const wanted = this.#wanted();
    while (this.#spares.length > wanted) this.#kind.dispose(this.#spares.pop()!);
  }

  /** Resolves once this stock has all the spares it wants, each loaded (tests, measurements). */
  async whenFull(): Promise<void> {
    for (;;) {
      this.#dropDead();
      const loading = this.#spares.filter((spare) => !this.#kind.ready(spare));
      if (loading.length === 0 && this.#spares.length >= this.#wanted()) return;
      this.refill();
      await (loading.length > 0
        ? Promise.race(loading.map((spare) => this.#kind.whenReady(spare)))
        : new Promise((resolve) => setImmediate(resolve)));
    }
  }

  /** The spares waiting now (for tests and measurements). */
  get size(): number {
    return this.#spares.length;
  }
}

function stocks(): Set<SpareStock<unknown>> {
  return slot('spare-stocks', () => new Set<SpareStock<unknown>>());
}

/**
 * Resolves once every start method used in this thread has the spares it
 * wants, loaded. For tests and measurements of the steady state.
 */
export async function whenSparesReady(): Promise<void> {
  // The spares are unref'd and their readiness is awaited with Atomics.waitAsync:
  // neither holds the event loop open for a caller that awaits nothing else.
  const release = keepAlive();
  try {
    await Promise.all([...stocks()].map((stock) => stock.whenFull()));
  } finally {
    release();
  }
}

/** A stock of spares in this isolate, by name, made (with `kind()`) on first use. */
export function spareStock<S>(name: string, kind: () => SpareKind<S>): SpareStock<S> {
  return slot(`spares-${name}`, () => new SpareStock(kind()));
}

/**
 * The tsx that a child started with these modules should find loaded, if any:
 * where Node cannot strip types, the parent's own tsx when it runs under tsx,
 * else the one a TypeScript target module needs. Spares are kept apart by it:
 * loading tsx costs a spare hundreds of milliseconds, which a JavaScript
 * target should not wait for, nor pay for in the background.
 */
export function spareTypeScript(...modules: (string | undefined)[]): string | undefined {
  const parent = tsxApiOfParent();
  if (parent !== undefined) return parent;
  const known = slot('spares-tsx', () => new Map<string, string | undefined>());
  for (const module of modules) {
    if (module === undefined) continue;
    if (!known.has(module)) known.set(module, tsxApiFor(module));
    const api = known.get(module);
    if (api !== undefined) return api;
  }
  return undefined;
}

/** The message that hands a child its boot data (first message to a spare; the cold `'process'` child's first IPC message). */
export interface HandOff<B> {
  readonly boot: B;
  /** The parent's `process.env` at `start()`, to replace the spare's (it was copied when the spare started). */
  readonly env?: Record<string, string>;
  /** The parent's working directory at `start()` (`'process'` only: threads share it). */
  readonly cwd?: string;
}

/** The parent's environment as a plain object of strings (what a cold child would get). */
export function currentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

/** In a child made from a spare: makes `process.env` exactly `env` (keys it lacks are removed). */
export function replaceEnv(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (!Object.hasOwn(env, key)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (process.env[key] !== value) process.env[key] = value;
}

/**
 * The message a child sends last, from its final `'exit'` listener, once its
 * output is out: its exit code. The parent resolves `join()` on it, without
 * waiting for the isolate's teardown or the OS process's reaping.
 */
export const EXIT_REPORT = '@mp/core.exit';

/** The message a `'process'` spare sends once it has loaded the child runtime. */
export const READY_REPORT = '@mp/core.ready';

/** Whether a message from a child is one of the start method's own ({@link EXIT_REPORT}, {@link READY_REPORT}), not the channel's. */
export function isControl(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (EXIT_REPORT in message || READY_REPORT in message);
}

/** The exit code in an {@link EXIT_REPORT} message, or `undefined` for any other message. */
export function exitReport(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const code = (message as Record<string, unknown>)[EXIT_REPORT];
  return typeof code === 'number' ? code : undefined;
}
