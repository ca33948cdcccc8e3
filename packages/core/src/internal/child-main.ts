import { activeChildren } from '../current-process.js';
import { becomeCurrent, makeParent, Process } from '../process.js';
import { adoptArena } from './arena.js';
import { adoptToken, releaseToken } from './isolates.js';
import { decode } from './codec.js';
import { loadExport, loadFunction } from './load-target.js';
import { runtime } from './runtime.js';
import { EXIT_REPORT } from './spares.js';
import type { Channel, ChildLink } from './start-methods/types.js';

/**
 * The child side of `@mp/core`, shared by both start methods: become the
 * process the parent described, import the target's module (the bootstrapping
 * phase, during which starting children is refused), run, then exit as Python
 * does — wait for non-daemon children, terminate daemon ones.
 */

function report(name: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `Uncaught ${String(error)}`;
  // Python prints "Process Process-1:" and the traceback; one write keeps the lines together.
  process.stderr.write(`Process ${name}:\n${detail}\n`);
}

/** Handles this child's own children once its target is done. */
async function reapChildren(): Promise<void> {
  const children = activeChildren();
  for (const child of children) if (child.daemon) child.terminate();
  await Promise.all(children.map((child) => child.join()));
}

/** How long a finished thread child waits for its parent to take the last of its output before it exits anyway. */
const FLUSH_WAIT_MS = 5;

function outputPending(): boolean {
  return process.stdout.writableLength > 0 || process.stderr.writableLength > 0;
}

/**
 * Lets this child's last output out before it exits.
 *
 * `'process'`: stdout and stderr are the parent's own file descriptors; a pipe
 * (`node prog.js | less`) takes what it can and Node writes the rest later, so
 * an exit now would lose it. Wait until it is written, as Python's child
 * flushes `sys.stdout` at exit (however slow the reader).
 *
 * `'thread'`: they are streams to the parent thread, and a chunk counts as
 * written once the parent has passed it on. Nothing is lost at exit (Node
 * drains them), so this wait only lets the exit report go early; it is bounded,
 * because a parent blocked in synchronous code cannot take anything and must
 * not be kept waiting for this child's exit.
 */
async function settleOutput(method: ChildLink['method']): Promise<void> {
  if (method === 'process') {
    await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
    return;
  }
  // Most children have nothing left to write; the clock is not read for them (in a new
  // worker, the first use of `performance` loads perf_hooks: milliseconds).
  if (!outputPending()) return;
  const until = performance.now() + FLUSH_WAIT_MS;
  while (outputPending() && performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Exits with `code`. The last `'exit'` listener tells the parent the exit code
 * when all output is out, so that its `join()` resolves without waiting for
 * this isolate's teardown or this process's reaping; with output still in
 * flight it says nothing, and the parent waits for the real exit (which
 * flushes the output first).
 */
function exitWith(code: number, channel: Channel): never {
  process.once('exit', (final) => {
    if (outputPending()) return;
    try {
      channel.post({ [EXIT_REPORT]: final });
    } catch {
      // The parent is gone (its channel closed): nobody to tell.
    }
  });
  process.exit(code);
}

/** Runs the child described by `link` and exits with its exit code. */
export async function runChild(link: ChildLink): Promise<never> {
  const { boot, method } = link;
  const rt = runtime();
  rt.identity = boot.identity;
  rt.parent = boot.parent;
  rt.startMethod = boot.startMethod;
  rt.slots.set('parent-channel', link.channel);
  rt.slots.set('parent', makeParent(boot));
  if (boot.arena) adoptArena(boot.arena);
  if (boot.token !== undefined) {
    const token = boot.token;
    adoptToken(token);
    // Dead as soon as we are on our way out, on this thread: a parent blocked
    // in a …Sync wait cannot run the handler that would otherwise say so.
    process.once('exit', () => releaseToken(token));
  }

  let exitCode = 0;
  process.on('uncaughtException', (error) => {
    report(boot.name, error);
    exitWith(1, link.channel);
  });

  // Until the target's class is known, a plain Process stands for this child, so
  // that currentProcess() during the import already answers with the child's name.
  becomeCurrent(Object.create(Process.prototype) as Process, boot, undefined, [], method);
  try {
    rt.bootstrapping = true;
    let Class: typeof Process = Process;
    let targetFn: ((...args: unknown[]) => unknown) | undefined;
    try {
      if (boot.subclass) {
        const exported = await loadExport(boot.subclass, 'Process subclass');
        if (typeof exported !== 'function' || !(exported.prototype instanceof Process)) {
          throw new TypeError(`The export \`${boot.subclass.name}\` of ${boot.subclass.module} is not a subclass of Process`);
        }
        Class = exported as typeof Process;
      }
      if (boot.target) targetFn = (await loadFunction(boot.target, 'Process target')) as typeof targetFn;
    } finally {
      rt.bootstrapping = false;
    }
    const self = Object.assign(Object.create(Class.prototype) as Process, await decode(boot.fields));
    const args = (await decode(boot.args)) as unknown[];
    becomeCurrent(self, boot, targetFn, args, method);
    await self.run();
  } catch (error) {
    report(boot.name, error);
    exitCode = 1;
  }
  await reapChildren();
  await settleOutput(method);
  exitWith(exitCode, link.channel);
}
