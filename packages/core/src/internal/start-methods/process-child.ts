import { setParentDeathSignal } from '@mp/native';
import { parentGone } from '../exit.js';
import { READY_REPORT, replaceEnv, type HandOff } from '../spares.js';
import type { BootData, Channel, ChildLink } from './types.js';
import { PARENT_PID_ENV } from './types.js';
import { loadSpare, SPARE_ENV, type SpareLoad } from '../warm-up.js';

/**
 * The child half of `'process'`: the boot data is the first IPC message (with,
 * for a spare, the parent's environment and working directory at `start()`,
 * which replace what the spare inherited when it was forked). IPC messages are
 * events, lost when nobody listens, so the channel buffers what arrives before
 * its first listener. The IPC pipe is unref'd except while a listener is
 * attached: it must not keep a finished child alive.
 */
export async function processChildLink(warmUpModule: string): Promise<ChildLink> {
  if (!process.send || !process.channel) throw new Error('The @mp/core process entry must be started by @mp/core');
  const ipc = process.channel;
  const parentPid = Number(process.env[PARENT_PID_ENV]);
  const spare = process.env[SPARE_ENV];
  delete process.env[PARENT_PID_ENV];
  delete process.env[SPARE_ENV];
  // A child, daemon or not — and a spare waiting for its boot data — does not
  // outlive its parent, however the parent dies (SIGKILL too). The kernel sees
  // to it on Linux: it sends SIGKILL here when the thread that forked us ends
  // (the parent's main thread, or the worker thread that started this child),
  // even while this child is busy in synchronous code, which no JavaScript
  // handler could interrupt.
  // SIGKILL, not a gentler signal: Node runs a handled signal's listeners on the
  // event loop only, too late for a child that never yields.
  setParentDeathSignal('SIGKILL');
  // A parent that died before that call sent nothing, and we have been handed to
  // another parent: end now. (process.ppid asks the kernel each time.)
  if (parentPid > 0 && process.ppid !== parentPid) parentGone();
  // Where the signal is unavailable (not Linux, or the addon not built:
  // setParentDeathSignal returned false), the channel closing says the parent
  // is gone. The unref'd channel still reports it while the event loop runs; a
  // child busy in synchronous code cannot notice until it yields.
  process.once('disconnect', parentGone);
  const buffered: unknown[] = [];
  const listeners = new Set<(message: unknown) => void>();
  // One listener from the start: messages that arrive in the same read as the
  // boot data are buffered, not lost.
  const handedOff = new Promise<HandOff<BootData>>((resolve) => {
    let booted = false;
    process.on('message', (message) => {
      if (!booted) {
        booted = true;
        resolve(message as HandOff<BootData>);
      } else if (listeners.size === 0) buffered.push(message);
      else for (const listener of listeners) listener(message);
    });
  });
  // A cold child's boot data is on its way already: only a spare loads ahead.
  if (spare) await loadSpare(JSON.parse(spare) as SpareLoad, warmUpModule);
  // A spare is picked by whether it has loaded (this far) — one still loading only when none has.
  process.send({ [READY_REPORT]: true });
  const handOff = await handedOff;
  if (handOff.env) replaceEnv(handOff.env);
  if (handOff.cwd !== undefined && handOff.cwd !== process.cwd()) process.chdir(handOff.cwd);
  const { boot } = handOff;
  if (process.ppid !== boot.parent.pid) parentGone();
  ipc.unref();
  const send = process.send.bind(process);
  const channel: Channel = {
    // IPC has no transfer list: buffers to transfer are copied (see Channel.post).
    post: (message) => send(message as never),
    on(listener) {
      if (listeners.size === 0) ipc.ref();
      listeners.add(listener);
      queueMicrotask(() => {
        while (buffered.length > 0 && listeners.has(listener)) listener(buffered.shift());
      });
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) ipc.unref();
      };
    },
  };
  return { boot, channel, method: 'process' };
}
