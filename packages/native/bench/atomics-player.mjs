// Baseline: the same ping-pong between two worker threads of one process, with V8's
// Atomics.wait / Atomics.notify (which only work inside a process). workerData:
// { buffer, role, rounds, spins }.
import { parentPort, workerData } from 'node:worker_threads';

const { buffer, role, rounds, spins } = workerData;
const words = new Int32Array(buffer);
const mySleep = 2 + role;
const theirSleep = 3 - role;

Atomics.add(words, 1, 1);
while (Atomics.load(words, 1) < 2);
const t0 = performance.now();
for (let round = 0; round < rounds; round++) {
  const mine = 2 * round + role;
  let ready = false;
  for (let i = 0; i < spins; i++) if (Atomics.load(words, 0) === mine) { ready = true; break; }
  if (!ready) {
    for (;;) {
      Atomics.store(words, mySleep, 1);
      const value = Atomics.load(words, 0);
      if (value === mine) break;
      Atomics.wait(words, 0, value);
    }
    Atomics.store(words, mySleep, 0);
  }
  Atomics.store(words, 0, mine + 1);
  if (Atomics.load(words, theirSleep) === 1) Atomics.notify(words, 0, 1);
}
parentPort.postMessage({ elapsedMs: performance.now() - t0 });
