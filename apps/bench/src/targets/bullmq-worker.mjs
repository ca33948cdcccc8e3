// The floor of the cluster cases: a BullMQ Worker used directly, squaring a chunk inline
// (no @mp on either side). Started as its own process: node bullmq-worker.mjs PORT QUEUE
import { Worker } from 'bullmq';

const [port, queue] = process.argv.slice(2);
const worker = new Worker(
  /** @type {string} */ (queue),
  async (job) => {
    const chunk = /** @type {number[]} */ (job.data.items);
    const out = [];
    for (let i = 0; i < chunk.length; i++) out.push(/** @type {number} */ (chunk[i]) * /** @type {number} */ (chunk[i]));
    return out;
  },
  { connection: { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null }, concurrency: 1 },
);
await worker.waitUntilReady();
console.log('bullmq worker ready');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
