import { MessageChannel } from 'node:worker_threads';
import { ownStartTime } from './isolates.js';
import { preloadModules, sparePreloads } from './preload.js';
import { canImportNow, preloadTypeScript } from './typescript.js';

/**
 * What a spare loads while it waits, as its parent says when it starts it
 * (`workerData` of a `'thread'` spare, {@link SPARE_ENV} of a `'process'` one):
 * the program's own choices, never anything received from elsewhere.
 */
export interface SpareLoad {
  /** The tsx to register (see ../spares.ts, `spareTypeScript`). */
  readonly tsx: string | undefined;
  /** Modules of @mp's own packages to import (see ./preload.ts). */
  readonly preload: readonly string[];
}

/** The environment variable through which a `'process'` spare learns its {@link SpareLoad}, as JSON (it removes it; a cold child has none). */
export const SPARE_ENV = 'MP_SPARE';

/** Parent side: what a spare started now should load. */
export function spareLoad(tsx: string | undefined): SpareLoad {
  return { tsx, preload: sparePreloads() };
}

/**
 * In a spare, before it says it is ready: registers tsx, imports the preloads,
 * then takes the first-time paths that every child takes right after its
 * hand-off, so that the child does not pay for them — the first dynamic import
 * of a module file (Node's ESM loader resolves, reads, compiles and links it
 * with code that has not run yet in this isolate), this OS process's start
 * time (read from /proc for the isolate table), the `performance` global
 * (which a new worker loads on first use, in milliseconds; targets time
 * themselves with it), and a first structured-clone message (the child's exit
 * report is one).
 *
 * Nothing here leaves state a child could see: `warmUpModule` is an empty
 * module of `@mp/core`'s own (`entry/warm-up`), and the preloads are modules
 * without effects beyond their definitions.
 *
 * @param warmUpModule - the URL of `entry/warm-up` beside the entry that runs ({@link warmUpModule})
 */
export async function loadSpare(load: SpareLoad, warmUpModule: string): Promise<void> {
  if (load.tsx) await preloadTypeScript(load.tsx);
  await preloadModules(load.preload);
  ownStartTime();
  performance.now();
  const { port1, port2 } = new MessageChannel();
  port1.postMessage({ warm: 0 });
  port1.close();
  port2.close();
  if (!canImportNow(warmUpModule)) return;
  try {
    await import(warmUpModule);
  } catch {
    // Only a warm-up: the child imports its own modules, and reports their errors.
  }
}

/** The URL of `entry/warm-up` beside the entry module `entry` (`…/entry/thread.js` or `.ts` from sources). */
export function warmUpModule(entry: string): string {
  return entry.replace(/\/(thread|process)(\.[cm]?[jt]s)$/, '/warm-up$2');
}
