import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { releaseToken } from '../isolates.js';
import type { BootData, Channel, ChildHandle, SpawnOptions, StartMethodHost } from './types.js';
import { EXIT_KILLED, EXIT_TERMINATED } from './types.js';

/**
 * Loads {@link file://./../../entry/thread.ts}. The bundler puts this file's code
 * in a chunk at the root of `dist/`, beside `dist/entry/`.
 */
const ENTRY = new URL('./entry/thread.js', import.meta.url);

function channelOf(worker: Worker): Channel {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    on(listener) {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
  };
}

/**
 * `'thread'`: each child is a `worker_threads` Worker running the thread entry.
 * Its output is piped through this thread in order, so that everything a child
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
    const worker = new Worker(ENTRY, {
      workerData: boot,
      stdout: piped,
      stderr: piped,
      name: boot.name,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    let flushed: Promise<unknown> = Promise.resolve();
    if (piped) {
      worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
      worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      flushed = Promise.all([once(worker.stdout, 'end'), once(worker.stderr, 'end')]);
    }
    // worker.terminate() ends a worker with code 1 and no signal: remember why we ended it.
    let endedBy: number | undefined;
    let failure: unknown;
    const exited = new Promise<number>((resolve) => {
      // An uncaught error is reported by the child itself (exit code 1); an
      // out-of-memory end is known only here.
      worker.once('error', (error) => {
        failure = error;
        // The child runtime prints its own uncaught errors; what reaches this
        // event failed before it could (its entry did not load) or cannot be
        // caught there (out of memory). Say so, as Python prints a traceback.
        const detail = error instanceof Error ? (error.stack ?? String(error)) : String(error);
        process.stderr.write(`Process ${boot.name}:\n${detail}\n`);
      });
      worker.once('exit', (code) => {
        void flushed.finally(() => resolve(endedBy ?? code));
      });
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
      failure: () => failure,
    };
  },
};
