// `pnpm --filter @mp/ipc bench`: @mp/ipc beside raw MessageChannel / Atomics and CPython, in one run.
import { availableParallelism } from 'node:os';
import { atomicsRoundTrip, messageChannelRoundTrip, messageChannelThroughput } from './baselines.ts';
import { pipeRoundTrip, queueThroughput } from './ipc.bench.ts';
import { measurePython } from './python.ts';

const N = Number(process.env['BENCH_N'] ?? 1_000_000);
const KIB = 'x'.repeat(1024);

function rate(value: number): string {
  return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(0)} k/s`;
}

function best(values: number[], higherIsBetter: boolean): number {
  return higherIsBetter ? Math.max(...values) : Math.min(...values);
}

async function repeat(times: number, run: () => Promise<number>, higherIsBetter: boolean, label = ''): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) {
    process.stderr.write(`  ${label} run ${i + 1}/${times}…\r`);
    try {
      values.push(await run());
    } catch (error) {
      process.stderr.write(`\n  ${label} run ${i + 1} failed: ${(error as Error).message}\n`);
    }
  }
  if (values.length === 0) return NaN;
  process.stderr.write(' '.repeat(60) + '\r');
  return best(values, higherIsBetter);
}

const rows: string[][] = [];
process.on('exit', (code) => {
  if (code !== 0) process.stderr.write(`\nbench exited with ${code} during the step shown above\n`);
});
function row(name: string, ours: number, baseline: number, baselineName: string, format: (v: number) => string, higherIsBetter: boolean): void {
  const ratio = higherIsBetter ? ours / baseline : baseline / ours;
  rows.push([name, format(ours), `${baselineName} ${format(baseline)}`, `${ratio.toFixed(2)}×`]);
}

console.log(`@mp/ipc bench — Node ${process.version}, ${availableParallelism()} CPUs, N = ${N} (best of 3)\n`);

const small = await repeat(3, () => queueThroughput(N, null), true, 'Queue small ints');
const smallMc = await repeat(3, () => messageChannelThroughput(N, null), true, 'MessageChannel small ints');
row('Queue, small ints', small, smallMc, 'MessageChannel', rate, true);

const bounded = await repeat(3, () => queueThroughput(N, null, 1000), true, 'Queue(1000) small ints');
row('Queue(1000), small ints', bounded, smallMc, 'MessageChannel', rate, true);

const kib = await repeat(3, () => queueThroughput(N / 4, KIB), true, 'Queue 1 KiB');
const kibMc = await repeat(3, () => messageChannelThroughput(N / 4, KIB), true, 'MessageChannel 1 KiB');
row('Queue, 1 KiB strings', kib, kibMc, 'MessageChannel', rate, true);

const rtt = await repeat(3, () => pipeRoundTrip(N / 20), false, 'Pipe round trip');
const rttMc = await repeat(3, () => messageChannelRoundTrip(N / 20), false, 'MessageChannel round trip');
const rttAtomics = await repeat(3, () => atomicsRoundTrip(N / 20), false, 'Atomics round trip');
const us = (v: number) => `${v.toFixed(2)} µs`;
row('Pipe round trip', rtt, rttMc, 'MessageChannel', us, false);
row('Pipe round trip', rtt, rttAtomics, 'raw Atomics', us, false);

process.stderr.write('  CPython…\r');
// The same between two process children (shared memory across processes, futex waits).
const smallProcesses = await repeat(3, () => queueThroughput(N, null, 0, 'process'), true, 'Queue small ints, processes');
row('Queue, small ints, processes', smallProcesses, smallMc, 'MessageChannel (threads)', rate, true);
const rttProcesses = await repeat(3, () => pipeRoundTrip(N / 20, 'process'), false, 'Pipe round trip, processes');
row('Pipe round trip, processes', rttProcesses, rttMc, 'MessageChannel (threads)', us, false);

const python = measurePython(Math.min(N, 200_000));
if (python) {
  const cpython = `${python.version} (processes)`;
  row('Queue, small ints', small, python.small, cpython, rate, true);
  row('Queue, 1 KiB strings', kib, python.kib, cpython, rate, true);
  row('Pipe round trip', rtt, python.rtt, cpython, us, false);
  row('Queue, small ints, processes', smallProcesses, python.small, cpython, rate, true);
  row('Pipe round trip, processes', rttProcesses, python.rtt, cpython, us, false);
}

const header = ['case', '@mp/ipc', 'baseline', '@mp/ipc vs baseline'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log('\nratio > 1: @mp/ipc is faster (throughput higher, or round trip shorter).');
