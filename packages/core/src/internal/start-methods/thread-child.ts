import { parentPort, workerData } from 'node:worker_threads';
import type { BootData, ChildLink } from './types.js';

/**
 * The child half of `'thread'`: the boot data is the Worker's `workerData`,
 * the channel its `parentPort` (which queues messages until a listener starts it).
 */
export function threadChildLink(): ChildLink {
  const port = parentPort;
  if (!port) throw new Error('The @mp/core thread entry must run in a worker thread started by @mp/core');
  return {
    boot: workerData as BootData,
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
