import { fork, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { hostToken } from '../isolates.js';
import { currentEnv, exitReport, isControl, READY_REPORT, spareStock, spareTypeScript, type HandOff, type SpareKind } from '../spares.js';
import { execArgvWithoutTsx } from '../typescript.js';
import type { BootData, Channel, ChildHandle, SpawnOptions, StartMethodHost } from './types.js';
import { PARENT_PID_ENV } from './types.js';
import { SPARE_ENV, spareLoad, type SpareLoad } from '../warm-up.js';

/**
 * Loads {@link file://./../../entry/process.ts}. The bundler puts this file's
 * code in a chunk at the root of `dist/`, beside `dist/entry/`.
 */
const ENTRY = fileURLToPath(new URL('./entry/process.js', import.meta.url));

/**
 * Children (and spares) still running, terminated when this process exits. By
 * then Node has waited for every non-daemon child if the program ended
 * normally, so these are the daemons (as Python terminates them at exit) and
 * the spares — and, after `process.exit()` or an uncaught error, every child:
 * children die with their parent (see `../exit.ts`). SIGTERM reaches a child
 * even while its event loop is busy; its IPC channel closing would not.
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

/** A forked process entry, watched from its creation (a spare may die before it is handed a child). */
interface Forked {
  readonly child: ChildProcess;
  readonly execArgv: readonly string[];
  readonly exit: Promise<number>;
  dead: boolean;
  /** It said it has loaded the child runtime. */
  ready: boolean;
  /** Resolves when it said so, or died. */
  readonly loaded: Promise<unknown>;
}

/** Forks the process entry: a cold child's (`spare` unset), or a spare that loads `spare` while it waits. */
function forkEntry(execArgv: readonly string[], spare?: SpareLoad): Forked {
  const child = fork(ENTRY, [], {
    execArgv: [...execArgv],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [PARENT_PID_ENV]: String(process.pid), ...(spare ? { [SPARE_ENV]: JSON.stringify(spare) } : {}) },
  });
  terminateAtExit(child);
  let loaded!: () => void;
  const forked: Forked = { child, execArgv, exit: undefined as never, dead: false, ready: false, loaded: new Promise<void>((resolve) => (loaded = resolve)) };
  const onReady = (message: unknown) => {
    if (typeof message !== 'object' || message === null || !(READY_REPORT in message)) return;
    forked.ready = true;
    loaded();
    child.off('message', onReady);
  };
  child.on('message', onReady);
  (forked as { exit: Promise<number> }).exit = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      forked.dead = true;
      loaded();
      running.delete(child);
      resolve(exitCode(code, signal));
    });
  });
  // A failed spawn also emits 'exit'; the 'error' event must not crash the parent.
  child.on('error', () => {});
  return forked;
}

function setRefOf(child: ChildProcess, keepsAlive: boolean): void {
  const ipc = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
  if (keepsAlive) {
    child.ref();
    ipc?.ref?.();
  } else {
    child.unref();
    ipc?.unref?.();
  }
}

function spareKind(tsx: string | undefined): SpareKind<Forked> {
  return {
    make() {
      const forked = forkEntry(execArgvWithoutTsx(), spareLoad(tsx));
      setRefOf(forked.child, false);
      return forked;
    },
    usable: (forked) => !forked.dead && forked.child.connected,
    ready: (forked) => forked.ready,
    whenReady: (forked) => forked.loaded,
    dispose: (forked) => void forked.child.kill('SIGKILL'),
  };
}

/** The stock of spares with or without tsx loaded (see spareTypeScript). */
function stock(tsx: string | undefined) {
  return spareStock(`process${tsx ? ` with ${tsx}` : ''}`, () => spareKind(tsx));
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, i) => flag === b[i]);
}

function channelOf(child: ChildProcess): Channel {
  return {
    // IPC has no transfer list: buffers to transfer are copied (serialized), the sender's stay intact.
    post: (message) => child.send(message as never),
    on(listener) {
      const filtered = (message: unknown) => {
        if (!isControl(message)) listener(message);
      };
      child.on('message', filtered);
      return () => child.off('message', filtered);
    },
  };
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return -(constants.signals[signal] ?? 1);
  return code ?? 1;
}

/**
 * `'process'`: each child is a fresh Node.js process (`child_process.fork`)
 * running the process entry — a warm spare when one is ready (see
 * ../spares.ts), else a new one — with the parent's stdout/stderr,
 * environment and working directory. The boot data is its first IPC message;
 * a spare gets the parent's environment and working directory with it.
 */
export const processHost: StartMethodHost = {
  name: 'process',
  crossProcess: true,
  spawn(boot: BootData, options: SpawnOptions = {}): ChildHandle {
    const execArgv = options.execArgv ?? execArgvWithoutTsx();
    const spares = stock(spareTypeScript(boot.target?.module, boot.subclass?.module));
    let forked = spares.take();
    // A spare started with other Node.js flags than this child asks for cannot be it.
    if (forked && !sameFlags(forked.execArgv, execArgv)) {
      forked.child.kill('SIGKILL');
      forked = undefined;
    }
    // A cold child inherits the environment and working directory at fork; a spare is told them.
    const handOff: HandOff<BootData> = forked ? { boot, env: currentEnv(), cwd: process.cwd() } : { boot };
    forked ??= forkEntry(execArgv);
    const { child } = forked;
    child.send(handOff as never);
    if (!boot.daemon) setRefOf(child, true);
    // The token's host is now the child: its death is visible to any waiter by pid (see isolates.ts).
    if (boot.token !== undefined && child.pid !== undefined) hostToken(boot.token, child.pid);
    let settle!: (code: number) => void;
    const { exit } = forked;
    const exited = new Promise<number>((resolve) => {
      settle = resolve;
      void exit.then(resolve);
    });
    // The child's last message: its exit code. Its reaping need not be waited for, nor kept alive for.
    child.on('message', (message) => {
      const code = exitReport(message);
      if (code === undefined) return;
      settle(code);
      setRefOf(child, false);
    });
    spares.refillAfter(exited);
    return {
      pid: child.pid ?? -1,
      ident: child.pid ?? -1,
      channel: channelOf(child),
      exited,
      failure: () => undefined,
      terminate: () => child.kill('SIGTERM'),
      kill: () => child.kill('SIGKILL'),
      setRef: (keepsAlive) => setRefOf(child, keepsAlive),
    };
  },
};
