// Baselines in raw worker_threads: the same two kinds of thread, without @mp.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';

/**
 * @mp/core's Process cannot hand a MessagePort to a child (its channel has no
 * transfer list), so these baselines run on a pair of raw worker threads,
 * started the same way (plain Worker, same Node), in the same run.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { role, n, payload, port, shared } = workerData;
if (role === 'produce') {
  for (let i = 0; i < n; i++) port.postMessage(payload === null ? i : payload);
  port.postMessage(null);
  // A thread that exits drops the messages its port has not delivered yet: wait for the consumer.
  port.once('message', () => port.close());
} else if (role === 'consume') {
  let count = 0, start = 0;
  port.on('message', (m) => {
    if (count++ === 0) start = performance.now();
    if (m === null) { parentPort.postMessage([count - 1, performance.now() - start]); port.postMessage('done'); port.close(); }
  });
} else if (role === 'ping') {
  let i = 0, start = 0;
  const warm = 1000;
  port.on('message', () => {
    i++;
    if (i === warm) start = performance.now();
    if (i === warm + n) { parentPort.postMessage(((performance.now() - start) * 1000) / n); port.postMessage(-1); port.close(); return; }
    port.postMessage(i);
  });
  port.postMessage(0);
} else if (role === 'pong') {
  port.on('message', (m) => { if (m === -1) port.close(); else port.postMessage(m); });
} else if (role === 'atomics-ping') {
  const w = new Int32Array(shared);
  const start = performance.now();
  for (let i = 1; i <= n; i++) {
    Atomics.store(w, 0, i); Atomics.notify(w, 0);
    while (Atomics.load(w, 1) !== i) { if (Atomics.wait(w, 1, i - 1, 0.05) !== 'not-equal') {} }
  }
  parentPort.postMessage(((performance.now() - start) * 1000) / n);
  Atomics.store(w, 0, -1); Atomics.notify(w, 0);
} else if (role === 'atomics-pong') {
  const w = new Int32Array(shared);
  for (let i = 1; ; i++) {
    let v;
    for (let spins = 0; (v = Atomics.load(w, 0)) !== i && v !== -1; spins++) if (spins > 2000) Atomics.wait(w, 0, v, 1);
    if (v === -1) break;
    Atomics.store(w, 1, i); Atomics.notify(w, 1);
  }
}
`;

const exits = new WeakMap<Worker, Promise<unknown>>();

function start(data: Record<string, unknown>, transfer: readonly MessagePort[] = []): Worker {
  const worker = new Worker(WORKER, { eval: true, workerData: data, transferList: transfer as MessagePort[] });
  // Listen for the exit from the start: a worker may exit before the caller awaits it.
  exits.set(worker, once(worker, 'exit').catch(() => undefined));
  return worker;
}

function exited(...workers: Worker[]): Promise<unknown> {
  return Promise.all(workers.map((worker) => exits.get(worker)));
}

/** The first message of `worker`; rejects if it (or `other`) fails or exits before sending one. */
function report<T>(worker: Worker, other: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    for (const w of [worker, other]) {
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`a baseline worker exited (code ${code}) before reporting`)));
    }
  });
}

/** MessageChannel throughput between two raw threads: items per second. */
export async function messageChannelThroughput(n: number, payload: string | null): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const consumer = start({ role: 'consume', port: port2 }, [port2]);
  const producer = start({ role: 'produce', n, payload, port: port1 }, [port1]);
  const [count, ms] = await report<[number, number]>(consumer, producer);
  await exited(consumer, producer);
  return (count / ms) * 1000;
}

/** MessageChannel round trip between two raw threads, in µs. */
export async function messageChannelRoundTrip(n: number): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const pong = start({ role: 'pong', port: port2 }, [port2]);
  const ping = start({ role: 'ping', n, port: port1 }, [port1]);
  const micros = await report<number>(ping, pong);
  await exited(ping, pong);
  return micros;
}

/** Raw Atomics ping-pong (spin, then futex) between two raw threads, in µs: the floor. */
export async function atomicsRoundTrip(n: number): Promise<number> {
  const shared = new SharedArrayBuffer(8);
  const pong = start({ role: 'atomics-pong', shared });
  const ping = start({ role: 'atomics-ping', n, shared });
  const micros = await report<number>(ping, pong);
  await exited(ping, pong);
  return micros;
}
