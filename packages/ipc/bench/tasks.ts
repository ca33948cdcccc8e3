// Child-side bodies of the benchmarks: run in thread children started by @mp/core.
import { waitSync, type SharedRegion } from '@mp/core';
import type { Connection, Queue } from '@mp/ipc';

/** Blocks until the main program sets word 0 of `go` (so start-up time is not measured). */
function waitForGo(go: SharedRegion): void {
  const word = go.int32(0, 1);
  while (Atomics.load(word, 0) === 0) waitSync(word, 0, 0);
}

/** Puts `n` items (`payload`, or the numbers 0…n-1 when it is null), then `null`. */
export function produce(queue: Queue<unknown>, n: number, payload: string | null, go: SharedRegion): void {
  waitForGo(go);
  if (payload === null) for (let i = 0; i < n; i++) queue.putSync(i);
  else for (let i = 0; i < n; i++) queue.putSync(payload);
  queue.putSync(null);
}

/** Takes items until `null`; reports [items, milliseconds from the first item to the last] on `report`. */
export function consume(queue: Queue<unknown>, report: Queue<[number, number]>): void {
  queue.getSync();
  const start = performance.now();
  let count = 1;
  while (queue.getSync() !== null) count++;
  report.putSync([count, performance.now() - start]);
}

/** Sends `n` messages and waits for each echo; reports the mean round trip in µs. */
export function ping(conn: Connection<number>, n: number, report: Queue<number>, go: SharedRegion): void {
  waitForGo(go);
  for (let i = 0; i < 1000; i++) {
    conn.send(i);
    conn.recvSync();
  }
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    conn.send(i);
    conn.recvSync();
  }
  report.putSync(((performance.now() - start) * 1000) / n);
  conn.send(-1);
}

/** Echoes messages until -1. */
export function pong(conn: Connection<number>): void {
  for (;;) {
    const message = conn.recvSync();
    if (message === -1) return;
    conn.send(message);
  }
}
