import { fork, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { hostToken } from '../isolates.js';
import { execArgvWithoutTsx } from '../typescript.js';
import type { BootData, Channel, ChildHandle, SpawnOptions, StartMethodHost } from './types.js';

/**
 * Loads {@link file://./../../entry/process.ts}. The bundler puts this file's
 * code in a chunk at the root of `dist/`, beside `dist/entry/`.
 */
const ENTRY = fileURLToPath(new URL('./entry/process.js', import.meta.url));

/**
 * Children still running, terminated when this process exits. By then Node
 * has waited for every non-daemon child if the program ended normally, so
 * these are the daemons (as Python terminates them at exit) — and, after
 * `process.exit()` or an uncaught error, every child: children die with
 * their parent (see `../exit.ts`). SIGTERM reaches a child even while its
 * event loop is busy; its IPC channel closing would not.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function terminateAtExit(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const each of running) each.kill('SIGTERM');
  });
}

function channelOf(child: ChildProcess): Channel {
  return {
    // IPC has no transfer list: buffers to transfer are copied (serialized), the sender's stay intact.
    post: (message) => child.send(message as never),
    on(listener) {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
  };
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return -(constants.signals[signal] ?? 1);
  return code ?? 1;
}

/**
 * `'process'`: each child is a fresh Node.js process (`child_process.fork`)
 * running the process entry, with the parent's stdout/stderr, environment and
 * working directory. The boot data is its first IPC message.
 */
export const processHost: StartMethodHost = {
  name: 'process',
  crossProcess: true,
  spawn(boot: BootData, options: SpawnOptions = {}): ChildHandle {
    const child = fork(ENTRY, [], {
      execArgv: [...(options.execArgv ?? execArgvWithoutTsx())],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    });
    child.send(boot as never);
    // The token's host is now the child: its death is visible to any waiter by pid (see isolates.ts).
    if (boot.token !== undefined && child.pid !== undefined) hostToken(boot.token, child.pid);
    terminateAtExit(child);
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(exitCode(code, signal));
      });
    });
    // A failed spawn also emits 'exit'; the 'error' event must not crash the parent.
    child.on('error', () => {});
    return {
      pid: child.pid ?? -1,
      ident: child.pid ?? -1,
      channel: channelOf(child),
      exited,
      failure: () => undefined,
      terminate: () => child.kill('SIGTERM'),
      kill: () => child.kill('SIGKILL'),
      setRef(keepsAlive) {
        const ipc = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
        if (keepsAlive) {
          child.ref();
          ipc?.ref?.();
        } else {
          child.unref();
          ipc?.unref?.();
        }
      },
    };
  },
};
