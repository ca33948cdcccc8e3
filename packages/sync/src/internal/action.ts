import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TaskRef } from '@mp/core';
import { loadFunction } from '@mp/core/internal';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Action = Function;

const require = createRequire(import.meta.url);

/**
 * A Barrier's action in one isolate: the function itself where the barrier
 * was made from a function, otherwise its module, imported (with
 * `loadFunction`) as soon as the barrier arrives in an isolate — so that it is
 * usually ready by the time a party there trips the barrier — or, in the
 * isolate that made the barrier from a `ref()`, at its first wait (that
 * isolate may never take part, and importing a module runs its top level).
 *
 * `Barrier.wait()` awaits the import. `waitSync()` cannot: when the import has
 * not finished yet, it falls back to a synchronous `require()` of the module,
 * which works for an ES module already imported in this isolate (typically the
 * child's own target module) or one without top-level `await` that Node can
 * load as it is; otherwise it throws an error that says so.
 */
export class ActionSlot {
  readonly ref: TaskRef;
  #fn: Action | undefined;
  #error: unknown;
  #loading: Promise<void> | undefined;

  constructor(ref: TaskRef, fn: Action | undefined, eager: boolean) {
    this.ref = ref;
    this.#fn = fn;
    if (!fn && eager) this.#load();
  }

  /** Resolves once the action is loaded (or failed to load). Never rejects. */
  ready(): Promise<void> {
    if (this.#fn) return Promise.resolve();
    return this.#load();
  }

  #load(): Promise<void> {
    this.#loading ??= loadFunction(this.ref, 'Barrier action').then(
      (loaded) => {
        this.#fn = loaded;
      },
      (error: unknown) => {
        this.#error = error;
      },
    );
    return this.#loading;
  }

  /** The action, loading it synchronously if it must. */
  get(): Action {
    if (this.#fn) return this.#fn;
    if (this.#error !== undefined) throw this.#error;
    void this.#load(); // for the next pass, if this one cannot have it
    let namespace: Record<string, unknown> | undefined;
    let cause: unknown;
    try {
      namespace = require(toPath(this.ref.module)) as Record<string, unknown>;
    } catch (error) {
      cause = error;
    }
    if (namespace) {
      const fn = exportOf(namespace, this.ref.name);
      if (fn) return (this.#fn = fn);
      throw new TypeError(
        `The Barrier action \`${this.ref.name}\` is not a function exported by ${this.ref.module}: export it ` +
          `(export function ${this.ref.name}…), or pass ref(moduleUrl, exportName) for a function exported elsewhere.`,
      );
    }
    throw new Error(
      `The Barrier action \`${this.ref.name}\` of ${this.ref.module} is not loaded in this thread yet, and waitSync() ` +
        'cannot wait for an import. Use `await barrier.wait()` in this thread (it waits for the import), or define ' +
        "the action in this thread's target module, or in a module that require() can load (no top-level await).",
      { cause },
    );
  }
}

function toPath(module: string): string {
  return module.startsWith('file:') ? fileURLToPath(module) : module;
}

function exportOf(namespace: Record<string, unknown>, name: string): Action | undefined {
  const value = Object.hasOwn(namespace, name) ? namespace[name] : undefined;
  if (typeof value === 'function') return value;
  const fallback = namespace['default'];
  return typeof fallback === 'function' && fallback.name === name ? fallback : undefined;
}
