import { MessageChannel } from 'node:worker_threads';
import { ownStartTime } from './isolates.js';
import { canImportNow } from './typescript.js';

/**
 * In a warm spare, while it waits: takes the first-time paths that every child
 * takes right after its hand-off, so that the child does not pay for them —
 * the first dynamic import of a module file (Node's ESM loader resolves, reads,
 * compiles and links it with code that has not run yet in this isolate), and
 * this OS process's start time (read from /proc for the isolate table), the
 * `performance` global (which a new worker loads on first use, in
 * milliseconds; targets time themselves with it), and a first structured-clone
 * message (the child's exit report is one).
 *
 * Nothing here leaves state a child could see: `module` is an empty module of
 * `@mp/core`'s own (`entry/warm-up`).
 *
 * @param module - the URL of `entry/warm-up` beside the entry that runs
 */
export async function warmUp(module: string): Promise<void> {
  ownStartTime();
  performance.now();
  const { port1, port2 } = new MessageChannel();
  port1.postMessage({ warm: 0 });
  port1.close();
  port2.close();
  if (!canImportNow(module)) return;
  try {
    await import(module);
  } catch {
    // Only a warm-up: the child imports its own modules, and reports their errors.
  }
}

/** The URL of `entry/warm-up` beside the entry module `entry` (`…/entry/thread.js` or `.ts` from sources). */
export function warmUpModule(entry: string): string {
  return entry.replace(/\/(thread|process)(\.[cm]?[jt]s)$/, '/warm-up$2');
}
