/**
 * Cross-process ping-pong round trip over a shared segment (spin, then futex),
 * beside V8's Atomics.wait/notify between two threads of one process and CPython's
 * named-semaphore ping-pong between two processes (fork), in the same run.
 *
 *   pnpm --filter @mp/native bench            (ROUNDS=20000 REPEAT=3 SPINS=200 by default)
 *
 * Each case reports the best of REPEAT runs, in µs per round trip (two moves).
 */
import { fork, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createSegment, segmentName, unlinkSegment } from '@mp/native';

const ROUNDS = Number(process.env.ROUNDS ?? 20_000);
const REPEAT = Number(process.env.REPEAT ?? 3);
/**
 * Loads before sleeping. An Atomics.load in this loop costs ~10–30 ns here, so 200
 * is a few µs: about one wake-up's latency. Spinning much longer than that makes
 * things worse once both sides fall back to sleeping (each move then pays the spin
 * and the wake-up).
 */
const SPINS = Number(process.env.SPINS ?? 200);

interface Report {
  elapsedMs: number;
}

async function crossProcess(mode: 'sync' | 'async', spins: number, rounds: number): Promise<number> {
  const name = segmentName();
  createSegment(name, 64);
  try {
    const players = [0, 1].map((role) =>
      fork(new URL('./ping-pong-player.mjs', import.meta.url), [name, String(role), String(rounds), mode, String(spins)], {
        execArgv: [],
      }),
    );
    const reports = await Promise.all(
      players.map((player) => new Promise<Report>((resolve) => player.once('message', (m) => resolve(m as Report)))),
    );
    await Promise.all(players.map((player) => new Promise((resolve) => player.once('exit', resolve))));
    return (Math.max(...reports.map((r) => r.elapsedMs)) * 1000) / rounds;
  } finally {
    unlinkSegment(name);
  }
}

async function threads(spins: number, rounds: number): Promise<number> {
  const buffer = new SharedArrayBuffer(64);
  const players = [0, 1].map(
    (role) => new Worker(new URL('./atomics-player.mjs', import.meta.url), { workerData: { buffer, role, rounds, spins } }),
  );
  const reports = await Promise.all(
    players.map((player) => new Promise<Report>((resolve) => player.once('message', (m) => resolve(m as Report)))),
  );
  await Promise.all(players.map((player) => player.terminate()));
  return (Math.max(...reports.map((r) => r.elapsedMs)) * 1000) / rounds;
}

async function best(run: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) min = Math.min(min, await run());
  return min;
}

const python = JSON.parse(
  execFileSync('python3', [new URL('./cpython_ping_pong.py', import.meta.url).pathname, String(ROUNDS), String(REPEAT)], {
    encoding: 'utf8',
  }),
) as { python: string; semaphore: number; event: number };

const rows: [string, number][] = [
  ['@mp/native futexWait, spin then sleep (2 processes)', await best(() => crossProcess('sync', SPINS, ROUNDS))],
  ['@mp/native futexWaitAsync, spin then sleep (2 processes)', await best(() => crossProcess('async', SPINS, ROUNDS))],
  ['@mp/native futexWait, always sleep (2 processes)', await best(() => crossProcess('sync', 0, ROUNDS))],
  ['@mp/native futexWaitAsync, always sleep (2 processes)', await best(() => crossProcess('async', 0, ROUNDS / 4))],
  ['baseline: Atomics.wait/notify, spin then sleep (2 threads)', await best(() => threads(SPINS, ROUNDS))],
  ['baseline: Atomics.wait/notify, always sleep (2 threads)', await best(() => threads(0, ROUNDS))],
  [`CPython ${python.python} Semaphore pair (2 processes, fork)`, python.semaphore],
  [`CPython ${python.python} Event pair (2 processes, fork)`, python.event],
];

console.log(
  `\nCross-process ping-pong, Node ${process.version}, ${ROUNDS} rounds, best of ${REPEAT}, ${SPINS} spins, ` +
    `load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} (spinning only pays when a core is free)`,
);
console.log('µs per round trip; ratio = CPython Semaphore time / this (higher is faster)\n');
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`${'case'.padEnd(width)}  ${'µs'.padStart(7)}  ${'ratio'.padStart(6)}`);
for (const [label, us] of rows) {
  console.log(`${label.padEnd(width)}  ${us.toFixed(2).padStart(7)}  ${(python.semaphore / us).toFixed(2).padStart(6)}`);
}
