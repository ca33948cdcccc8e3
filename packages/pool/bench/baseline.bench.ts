import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { median } from './pool.bench.ts';

/** Raw transports with nothing on top: the floor under any pool's round trip. */

const ECHO = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));`;

export async function rawThreadRoundTripUs(applies: number, reps: number): Promise<number> {
  const worker = new Worker(ECHO, { eval: true });
  try {
    await new Promise((resolve) => worker.once('online', resolve));
    const once = (i: number) => new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage([i]);
    });
    for (let i = 0; i < 1_000; i++) await once(i);
    const trips: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      for (let i = 0; i < applies; i++) await once(i);
      trips.push(((performance.now() - t) / applies) * 1000);
    }
    return median(trips);
  } finally {
    await worker.terminate();
  }
}

export async function rawProcessRoundTripUs(applies: number, reps: number): Promise<number> {
  const child = fork(new URL('./fixtures/echo-child.mjs', import.meta.url), [], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const once = (i: number) => new Promise((resolve) => {
      child.once('message', resolve);
      child.send([i]);
    });
    for (let i = 0; i < 1_000; i++) await once(i);
    const trips: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      for (let i = 0; i < applies; i++) await once(i);
      trips.push(((performance.now() - t) / applies) * 1000);
    }
    return median(trips);
  } finally {
    child.kill();
  }
}
