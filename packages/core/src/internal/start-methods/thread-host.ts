import { once } from 'node:events';
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import { releaseToken } from '../isolates.js';
import { currentEnv, exitReport, isControl, spareStock, spareTypeScript, type HandOff, type SpareKind } from '../spares.js';
import { spareLoad } from '../warm-up.js';
import type { BootData, Channel, ChildHandle, SpawnOptions, StartMethodHost } from './types.js';
import { EXIT_KILLED, EXIT_TERMINATED } from './types.js';

/**
 * Loads {@link file://./../../entry/thread.ts}. The bundler puts this file's code
 * in a chunk at the root of `dist/`, beside `dist/entry/`.
 */
const ENTRY = new URL('./entry/thread.js', import.meta.url);

/** A Worker running the thread entry, watched from its creation (a spare may die before it is handed a child). */
interface Started {
  readonly worker: Worker;
  /** The Worker's own exit code, once its `'exit'` event came. */
  readonly exit: Promise<number>;
  /** The Worker's `'error'`, if any. */
  failure: unknown;
  /** The child's name, once it is one (a spare's death before that is nobody's business). */
  name: string | undefined;
  dead: boolean;
}

function startWorker(options: WorkerOptions): Started {
  const worker = new Worker(ENTRY, options);
  const started: Started = { worker, exit: undefined as never, failure: undefined, name: undefined, dead: false };
  (started as { exit: Promise<number> }).exit = new Promise<number>((resolve) => {
    // An uncaught error is reported by the child itself (exit code 1); an
    // out-of-memory end is known only here.
    worker.once('error', (error) => {
      started.failure = error;
      // The child runtime prints its own uncaught errors; what reaches this
      // event failed before it could (its entry did not load) or cannot be
      // caught there (out of memory). Say so, as Python prints a traceback.
      const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      process.stderr.write(`Process ${started.name ?? '(spare)'}:\n${detail}\n`);
    });
    worker.once('exit', (code) => {
      started.dead = true;
      resolve(code);
    });
  });
  return started;
}

/** A spare: a Worker that has loaded the child runtime and waits for its boot data on `port`. */
interface ThreadSpare {
  readonly started: Started;
  readonly port: MessagePort;
  /** Word 0 is set by the spare once it has loaded the child runtime. */
  readonly ready: Int32Array;
}

/**
 * Spares for children whose output is piped through this thread (`piped`: in
 * order with the exit report, but the pipe holds this thread's event loop open
 * while it is read, which starts at hand-off) or goes straight to the shared
 * stdout/stderr (daemons, which must not keep the program alive). Two stocks,
 * each filled only once a child of its kind was started.
 */
function spareKind(piped: boolean, tsx: string | undefined): SpareKind<ThreadSpare> {
  return {
    make() {
      const { port1, port2 } = new MessageChannel();
      const ready = new Int32Array(new SharedArrayBuffer(4));
      const started = startWorker({ workerData: { spare: port2, ready, load: spareLoad(tsx) }, transferList: [port2], stdout: piped, stderr: piped });
      started.worker.unref();
      return { started, port: port1, ready };
    },
    usable: (spare) => !spare.started.dead,
    ready: (spare) => Atomics.load(spare.ready, 0) === 1,
    whenReady: (spare) => {
      const wait = Atomics.waitAsync(spare.ready, 0, 0);
      return wait.async ? Promise.race([wait.value, spare.started.exit]) : Promise.resolve();
    },
    dispose: (spare) => void spare.started.worker.terminate(),
  };
}

/** The stock of spares of one kind: piped or not, with or without tsx loaded (see spareTypeScript). */
function stock(piped: boolean, tsx: string | undefined) {
  return spareStock(`thread${piped ? '' : '-daemon'}${tsx ? ` with ${tsx}` : ''}`, () => spareKind(piped, tsx));
}

/**
 * `'thread'`: each child is a `worker_threads` Worker running the thread entry:
 * a warm spare when one is ready (see ../spares.ts), else a new one. A cold
 * child's output is piped through this thread in order, so that everything it
 * printed is out before its exit is reported (`join()` resolves after it).
 */
export const threadHost: StartMethodHost = {
  name: 'thread',
  crossProcess: false,
  spawn(boot: BootData, options: SpawnOptions = {}): ChildHandle {
    // Piping a worker's output through this thread keeps it in order with the
    // exit report, but the pipe holds the event loop open: a daemon, which must
    // not keep the program alive, writes straight to the shared stdout instead.
    const piped = !boot.daemon;
    // A spare runs with the parent's own V8 limits: a child that asks for others starts cold.
    const spares = options.resourceLimits ? undefined : stock(piped, spareTypeScript(boot.target?.module, boot.subclass?.module));
    const spare = spares?.take();
    if (spare) {
      const handOff: HandOff<BootData> = { boot, env: currentEnv() };
      spare.port.postMessage(handOff);
      if (!boot.daemon) spare.started.worker.ref();
      const handle = watch(spare.started, boot, piped);
      spares!.refillAfter(handle.exited);
      return handle;
    }
    const started = startWorker({
      workerData: boot,
      stdout: piped,
      stderr: piped,
      name: boot.name,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    const handle = watch(started, boot, piped);
    spares?.refillAfter(handle.exited);
    return handle;
  },
};

function watch(started: Started, boot: BootData, piped: boolean): ChildHandle {
  const { worker } = started;
  started.name = boot.name;
  let flushed: Promise<unknown> = Promise.resolve();
  if (piped) {
    worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    flushed = Promise.all([once(worker.stdout, 'end'), once(worker.stderr, 'end')]);
  }
  // worker.terminate() ends a worker with code 1 and no signal: remember why we ended it.
  let endedBy: number | undefined;
  let settle!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    settle = resolve;
    void started.exit.then((code) => flushed.finally(() => resolve(endedBy ?? code)));
  });
  // The child's last message: its exit code, once its output is out. Its
  // isolate's teardown (tens of ms) need not be waited for, nor kept alive for.
  worker.on('message', (message) => {
    const code = exitReport(message);
    if (code === undefined) return;
    settle(endedBy ?? code);
    worker.unref();
  });
  const end = (code: number) => {
    endedBy ??= code;
    void worker.terminate();
    // A terminated worker runs no 'exit' handler, and its 'exit' event needs
    // this thread's event loop, which may be about to block (say in
    // lock.acquireSync() on a lock the child holds): mark it dead now. It
    // stops at its next interrupt check, long before a waiter's next owner
    // check (see ../mutex.ts).
    if (boot.token !== undefined) releaseToken(boot.token);
  };
  return {
    pid: process.pid,
    ident: worker.threadId,
    channel: channelOf(worker),
    exited,
    terminate: () => end(EXIT_TERMINATED),
    kill: () => end(EXIT_KILLED),
    setRef: (keepsAlive) => (keepsAlive ? worker.ref() : worker.unref()),
    failure: () => started.failure,
  };
}

function channelOf(worker: Worker): Channel {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    on(listener) {
      const filtered = (message: unknown) => {
        if (!isControl(message)) listener(message);
      };
      worker.on('message', filtered);
      return () => worker.off('message', filtered);
    },
  };
}
