// Event ping-pong between two thread children, beside raw Atomics.wait/notify
// ping-pong in the same kind of children; CPython's Event in the same run.
import { performance } from 'node:perf_hooks';
import { Process, allocateShared, isMain, ref, waitAsync } from '@mp/core';
import { Event } from '@mp/sync';
import { python } from './lock.bench.ts';
import { printTable, type Row } from './table.ts';

const ROUNDS_TRIPS = 20_000;
const ROUNDS = 5;
const FIXTURE = new URL('./fixtures/event.ts', import.meta.url);

/** Best µs per round trip over ROUNDS runs of two children. */
async function pingPong(serve: string, answer: string, make: () => unknown[]): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const gate = allocateShared(12);
    const g = gate.int32();
    const shared = make();
    const children = [serve, answer].map((name) => {
      const child = new Process({ target: ref(FIXTURE, name), args: [...shared, ROUNDS_TRIPS, gate], context: 'thread' });
      child.start();
      return child;
    });
    for (let ready = 0; ready < 2; ready = Atomics.load(g, 1)) {
      if (children.some((child) => child.exitCode !== null)) throw new Error(`a bench child exited early (exit codes ${children.map((child) => child.exitCode).join(', ')})`);
      await waitAsync(g, 1, ready, 100);
    }
    const t0 = performance.now();
    Atomics.store(g, 0, 1);
    Atomics.notify(g, 0);
    for (let done = 0; done < 2; done = Atomics.load(g, 2)) Atomics.wait(g, 2, done);
    best = Math.min(best, performance.now() - t0);
    await Promise.all(children.map((child) => child.join()));
  }
  return (best * 1e3) / ROUNDS_TRIPS;
}

export async function main(): Promise<void> {
  const RAW = 'raw Atomics.wait/notify';
  const rows: Row[] = [
    { name: RAW, unit: 'µs/round trip', value: await pingPong('serveRaw', 'returnRaw', () => [allocateShared(4)]) },
    {
      name: 'Event set()/waitSync()/clear()',
      unit: 'µs/round trip',
      baseline: RAW,
      value: await pingPong('serveEvents', 'returnEvents', () => [new Event(), new Event()]),
    },
  ];
  const py = python(`
import multiprocessing as mp, time, json
def answer(ping, pong, n, barrier):
    barrier.wait()
    for _ in range(n):
        ping.wait(); ping.clear(); pong.set()
if __name__ == '__main__':
    mp.set_start_method('fork')
    n = ${ROUNDS_TRIPS}
    best = float('inf')
    for _ in range(${ROUNDS}):
        ping, pong = mp.Event(), mp.Event()
        barrier = mp.Barrier(2)
        p = mp.Process(target=answer, args=(ping, pong, n, barrier))
        p.start()
        barrier.wait()
        t = time.perf_counter()
        for _ in range(n):
            ping.set(); pong.wait(); pong.clear()
        best = min(best, time.perf_counter() - t)
        p.join()
    print(json.dumps({'us': best * 1e6 / n}))
`);
  if (py) rows.push({ name: `${py.version} Event (fork: parent ↔ child)`, unit: 'µs/round trip', baseline: RAW, value: py.result['us']! });
  printTable(`Event ping-pong between two thread children (best of ${ROUNDS} × ${ROUNDS_TRIPS.toLocaleString('en')} round trips)`, rows);
}

if (isMain(import.meta)) await main();
