import type { Encoded } from './codec.js';
import { canImportNow } from './typescript.js';
import { slot } from './runtime.js';

/**
 * Modules that warm spares import while they wait, so that the child a spare
 * becomes finds them loaded. Only the program's own packages name them (say
 * `@mp/pool`, whose every worker imports its worker loop): the list is never
 * read from anything a child or a peer sent, and a user's target module is
 * never on it — importing it runs its top-level code, which must run once, in
 * the child, after `start()`.
 *
 * Each spare still becomes exactly one child: a module it preloaded has fresh
 * state, as if the child had imported it itself.
 */

function preloads(): Set<string> {
  return slot('spare-preloads', () => new Set<string>());
}

/**
 * Asks the spares started from now on (both start methods, this thread) to
 * import `module` while they wait. Its top-level code must have no effect
 * beyond defining things: it runs in every spare, even one that becomes a
 * child that never uses it.
 *
 * @param module - a `file:` URL of a module of the program's own packages
 * @returns a function that takes it off the list (spares started already keep it)
 */
export function preloadInSpares(module: string): () => void {
  preloads().add(module);
  return () => void preloads().delete(module);
}

/**
 * Names for preloading the modules that define @mp's own shared types (type
 * names starting with `@mp/`) found in boot data just sent to a child: the
 * next child that receives a `SharedArray` or a `Lock` finds its package
 * loaded. A user's shared type is left alone (its module is the user's).
 */
export function preloadSharedTypes(encoded: Encoded): void {
  if (!encoded.shared) return;
  for (const { type, module } of encoded.shared.states) if (type.startsWith('@mp/')) preloadInSpares(module);
}

/** The modules a spare started now should import (see {@link preloadInSpares}). */
export function sparePreloads(): string[] {
  return [...preloads()];
}

/**
 * In a spare: imports `modules`, skipping a TypeScript one that this spare
 * cannot import without loading tsx. A failure is left to the child's own
 * import of the module, which reports it where it belongs.
 */
export async function preloadModules(modules: readonly string[]): Promise<void> {
  for (const module of modules) {
    if (!canImportNow(module)) continue;
    try {
      await import(module);
    } catch {
      // See above: the child that needs it reports it.
    }
  }
}
