// The floor of a pool's apply round trip: a raw worker thread or forked process that
// answers every message with the message itself.
import { parentPort } from 'node:worker_threads';

if (parentPort) {
  const port = parentPort;
  port.on('message', (message) => port.postMessage(message));
} else {
  process.on('message', (message) => /** @type {NonNullable<typeof process.send>} */ (process.send)(message));
}
