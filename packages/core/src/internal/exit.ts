import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { slot } from './runtime.js';

/**
 * The exit path of a program that has children: its children end with it,
 * however it ends.
 *
 * - It ends normally: Node waits for the non-daemon children (they hold the
 *   event loop open); daemon children are terminated at `'exit'`.
 * - `process.exit()` or an uncaught error: every child still running is
 *   terminated at `'exit'` (thread children end with the process anyway;
 *   process children get SIGTERM from the start method's exit hook). This is a
 *   deliberate departure from Python, which joins non-daemon children after
 *   an uncaught exception: Node has no shutdown phase in which the program's
 *   own callbacks stop but children can still be waited for, and keeping the
 *   event loop running after an uncaught error would run the program on in an
 *   undefined state.
 * - SIGTERM, SIGINT or SIGHUP (`docker stop`, systemd, Ctrl-C, a closed
 *   terminal): unless the program handles that signal itself, the handlers
 *   below terminate every child, wait for them a moment, kill the ones that
 *   are left, and re-raise the signal, so that the exit status still says
 *   which signal ended the program. They are installed only while children
 *   exist, and only for signals the program has no handler for (Node's
 *   default for those is to die at once, leaving 'process' children behind).
 * - SIGKILL, or any death that runs no code: the kernel kills each 'process'
 *   child (it asked for SIGKILL on its parent's death with @mp/native's
 *   `setParentDeathSignal`), even one busy in synchronous code. Without the
 *   addon, a child sees its IPC channel close (`'disconnect'`) and ends itself
 *   once its event loop is free. See `parentGone()`.
 */

/** Signals whose default action ends the program, and that we turn into the exit path. */
export const EXIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** How long the signal path waits for terminated children before it kills them. */
export const TERMINATE_GRACE_MS = 1_000;

/** What the exit path needs of a child (a `Process`). */
export interface ExitChild {
  terminate(): void;
  kill(): void;
  isAlive(): boolean;
  join(timeout?: number): Promise<void>;
}

interface SignalState {
  /** Our handler per signal, while installed. */
  readonly handlers: Map<NodeJS.Signals, () => void>;
  /** Set once a signal started the exit path. */
  ending: boolean;
}

function state(): SignalState {
  return slot<SignalState>('exit-signals', () => ({ handlers: new Map(), ending: false }));
}

/**
 * Keeps the signal handlers in step with the children: installs them when the
 * first child starts, removes them when the last one has exited. Call it each
 * time `children` changes.
 */
export function watchSignals(children: ReadonlySet<ExitChild>): void {
  // Signals reach the main thread of a process only (a Worker cannot listen).
  if (!isMainThread) return;
  const { handlers } = state();
  if (children.size === 0) {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
    return;
  }
  for (const signal of EXIT_SIGNALS) {
    // A program that handles the signal itself decides what it means.
    if (handlers.has(signal) || process.listenerCount(signal) > 0) continue;
    const handler = (): void => void onSignal(signal, children, handler);
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
}

async function onSignal(signal: NodeJS.Signals, children: ReadonlySet<ExitChild>, handler: () => void): Promise<void> {
  // A handler the program added after ours: it decides, we do nothing.
  if (process.listeners(signal).some((listener) => listener !== handler)) return;
  const current = state();
  if (current.ending) {
    // A second signal while the children are terminating: no more patience.
    for (const child of children) child.kill();
    reraise(signal);
    return;
  }
  current.ending = true;
  const running = [...children];
  for (const child of running) child.terminate();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(running.map((child) => child.join())),
    new Promise((resolve) => (timer = setTimeout(resolve, TERMINATE_GRACE_MS))),
  ]);
  clearTimeout(timer);
  for (const child of running) if (child.isAlive()) child.kill();
  reraise(signal);
}

/**
 * Ends this process by `signal`, as if nobody had handled it: the default
 * action, so that the parent (a shell, systemd) sees the signal in the exit
 * status. With our handlers removed, Node restores the default disposition.
 */
function reraise(signal: NodeJS.Signals): void {
  const { handlers } = state();
  for (const [sig, handler] of handlers) process.off(sig, handler);
  handlers.clear();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  // Not dead (a handler came back, or the signal is blocked): exit with the shell's code for it.
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * In a 'process' child: the parent is gone (its IPC channel closed — it
 * exited, or was killed). End this child as if by SIGHUP, the hang-up of the
 * other end: its own children go with it (`'exit'` hooks), and the exit code
 * is the one a shell gives a SIGHUP'd process. Nobody is left to read it.
 */
export function parentGone(): void {
  process.exit(128 + constants.signals.SIGHUP);
}
