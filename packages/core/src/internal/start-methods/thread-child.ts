import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { replaceEnv, type HandOff } from '../spares.js';
import { loadSpare, type SpareLoad } from '../warm-up.js';
import type { BootData, ChildLink } from './types.js';

/** The `workerData` of a spare (see thread-host.ts): the port its boot data will come through. */
interface SpareData {
  readonly spare: MessagePort;
  /** Word 0 becomes 1 once this spare has loaded the child runtime. */
  readonly ready: Int32Array;
  /** What to load while waiting. */
  readonly load: SpareLoad;
}

function isSpare(data: unknown): data is SpareData {
  return typeof data === 'object' && data !== null && 'spare' in data;
}

/**
 * The child half of `'thread'`: the boot data is the Worker's `workerData`,
 * or, for a spare, the first message on the port in its `workerData` (with the
 * parent's environment at `start()`, which replaces the copy the spare got when
 * it started). The channel is `parentPort`, which queues messages until a
 * listener starts it — untouched while the spare waits.
 */
export async function threadChildLink(warmUpModule: string): Promise<ChildLink> {
  const port = parentPort;
  if (!port) throw new Error('The @mp/core thread entry must run in a worker thread started by @mp/core');
  let boot: BootData;
  const data: unknown = workerData;
  if (isSpare(data)) {
    await loadSpare(data.load, warmUpModule);
    Atomics.store(data.ready, 0, 1);
    Atomics.notify(data.ready, 0);
    const handOff = await new Promise<HandOff<BootData>>((resolve) => data.spare.once('message', resolve));
    data.spare.close();
    if (handOff.env) replaceEnv(handOff.env);
    boot = handOff.boot;
  } else boot = data as BootData;
  return {
    boot,
    method: 'thread',
    channel: {
      post: (message, transfer) => port.postMessage(message, transfer),
      on(listener) {
        port.on('message', listener);
        return () => port.off('message', listener);
      },
    },
  };
}
