/**
 * Who is calling a referent's method: one client connection of the manager
 * (a thread or process of some program). Locks are owned by callers, and a
 * caller's waits end when its connection closes (its program ended), so that a
 * dead program is never handed a lock.
 */
export interface Caller {
  readonly id: number;
  /** Aborted when the caller's connection closes. */
  readonly signal: AbortSignal;
}

let current: Caller | undefined;

/** The manager itself, for calls it makes (never aborted). */
export const MANAGER_CALLER: Caller = { id: 0, signal: new AbortController().signal };

/** Runs `body` with `who` as the caller that referents see (read synchronously, at each method's start). */
export function withCaller<T>(who: Caller, body: () => T): T {
  const outer = current;
  current = who;
  try {
    return body();
  } finally {
    current = outer;
  }
}

/**
 * Calls `method` on `object` with `who` as the caller — {@link withCaller}
 * without a closure per call (the manager's hot path).
 */
export function callAs(who: Caller, object: object, method: Function, args: readonly unknown[]): unknown {
  const outer = current;
  current = who;
  try {
    return Reflect.apply(method, object, args);
  } finally {
    current = outer;
  }
}

/** The caller of the method now starting. */
export function caller(): Caller {
  return current ?? MANAGER_CALLER;
}
