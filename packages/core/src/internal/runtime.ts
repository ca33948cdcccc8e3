import type { StartMethod } from '../start-method.js';

/** What a child knows of its parent process. */
export interface ParentInfo {
  readonly name: string;
  readonly pid: number;
  readonly ident: number;
  readonly identity: readonly number[];
}

/**
 * The per-isolate state of `@mp/core`: who this isolate is (main program or a
 * child), the children it started, the default start method.
 *
 * Kept on `globalThis` under a `Symbol.for` key so that two copies of the
 * package loaded in one isolate (say `src` and `dist`, or two versions in
 * `node_modules`) still agree on who is the current process.
 */
export interface Runtime {
  /** `[]` in the main program; `[1]` for Process-1, `[1, 2]` for Process-1:2. */
  identity: readonly number[];
  /** Children created here so far: the N of the next `Process-…:N`. */
  counter: number;
  /** Set in a child while its target's module is being imported (Python's bootstrapping phase). */
  bootstrapping: boolean;
  /** `null` in the main program. */
  parent: ParentInfo | null;
  /** The start method chosen with `setStartMethod()`, or inherited from the parent. */
  startMethod: StartMethod | undefined;
  /** True once `setStartMethod()` was called explicitly (Python: "context has already been set"). */
  startMethodFixed: boolean;
  /** Named objects other modules keep per isolate (the current process, the children…). */
  readonly slots: Map<string, unknown>;
}

const KEY = Symbol.for('@mp/core.runtime');

/** The runtime of this isolate, created on first use as the main program's. */
export function runtime(): Runtime {
  const store = globalThis as { [KEY]?: Runtime };
  store[KEY] ??= {
    identity: [],
    counter: 0,
    bootstrapping: false,
    parent: null,
    startMethod: undefined,
    startMethodFixed: false,
    slots: new Map(),
  };
  return store[KEY];
}

/** A per-isolate singleton stored in the runtime, created by `make` on first use. */
export function slot<T>(name: string, make: () => T): T {
  const { slots } = runtime();
  if (!slots.has(name)) slots.set(name, make());
  return slots.get(name) as T;
}

/** True in a child (thread or process) started by `@mp/core`. */
export function isChild(): boolean {
  return runtime().parent !== null;
}
