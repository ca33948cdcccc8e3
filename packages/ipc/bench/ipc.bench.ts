// The @mp/ipc side of the benchmarks: Queue throughput and Pipe round trip between two children.
import { Process, allocateShared, ref, type SharedRegion, type StartMethod } from '@mp/core';
import { EmptyError, Pipe, Queue } from '@mp/ipc';

const TASKS = new URL('./tasks.ts', import.meta.url);

function go(): SharedRegion {
  return allocateShared(4);
}

function release(flag: SharedRegion): void {
  const word = flag.int32(0, 1);
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
}

function child(name: string, args: unknown[], method: StartMethod): Process {
  const p = new Process({ target: ref(TASKS, name), args, context: method });
  p.start();
  return p;
}

/**
 * The report, or an error if the children exit without sending it (a child
 * that failed to start, say). Timed gets: a pending get cannot be cancelled,
 * and one left waiting would keep the bench alive.
 */
async function reported<T>(report: Queue<T>, children: Process[]): Promise<T> {
  let exited = false;
  void Promise.all(children.map((c) => c.join())).then(() => (exited = true));
  for (;;) {
    const done = exited;
    try {
      return await report.get(100);
    } catch (error) {
      if (!(error instanceof EmptyError)) throw error;
    }
    if (done) throw new Error(`the children exited (codes ${children.map((c) => c.exitCode).join(', ')}) without reporting`);
  }
}

/** Queue throughput between two children: items per second. */
export async function queueThroughput(n: number, payload: string | null, maxsize = 0, method: StartMethod = 'thread'): Promise<number> {
  const queue = new Queue<unknown>(maxsize);
  const report = new Queue<[number, number]>();
  const flag = go();
  const consumer = child('consume', [queue, report], method);
  const producer = child('produce', [queue, n, payload, flag], method);
  release(flag);
  const [count, ms] = await reported(report, [consumer, producer]);
  await Promise.all([consumer.join(), producer.join()]);
  return (count / ms) * 1000;
}

/** Pipe round trip between two children, in µs. */
export async function pipeRoundTrip(n: number, method: StartMethod = 'thread'): Promise<number> {
  const [a, b] = Pipe<number>();
  const report = new Queue<number>();
  const flag = go();
  const pong = child('pong', [b], method);
  const ping = child('ping', [a, n, report, flag], method);
  release(flag);
  const micros = await reported(report, [ping, pong]);
  await Promise.all([ping.join(), pong.join()]);
  return micros;
}
