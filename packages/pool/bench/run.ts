// `pnpm --filter @mp/pool bench`: @mp/pool beside raw transports, piscina, tinypool,
// workerpool and CPython's Pool (fork), all in this one run, on this machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpuCount } from '@mp/core';
import { rawProcessRoundTripUs, rawThreadRoundTripUs } from './baseline.bench.ts';
import { benchPool, type BenchSize } from './pool.bench.ts';

const size: BenchSize = {
  processes: cpuCount(),
  items: 100_000,
  applies: Number(process.env['BENCH_APPLIES'] ?? 2_000),
  reps: Number(process.env['BENCH_REPS'] ?? 5),
};
const args = [size.processes, size.items, size.applies, size.reps].map(String);

interface Row {
  startCloseJoinMs?: number;
  startTaskShutdownMs?: number;
  mapItemsPerSec?: number;
  applyRoundTripUs?: number;
}

function runJson(command: string, argv: string[], cwd: string): Record<string, Row> | undefined {
  const result = spawnSync(command, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  if (result.status !== 0) {
    console.error(`${command} ${argv.join(' ')} failed (${result.status ?? result.signal})`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, Row>;
}

console.log(`pool bench: ${size.processes} workers, map of ${size.items} items, ${size.applies} sequential applies, median of ${size.reps}`);
const columns: Record<string, Row> = {};
console.log('… @mp/pool (thread)');
columns['@mp thread'] = await benchPool('thread', size);
console.log('… @mp/pool (process)');
columns['@mp process'] = await benchPool('process', size);
console.log('… raw transports');
columns['raw thread'] = { applyRoundTripUs: await rawThreadRoundTripUs(size.applies, size.reps) };
columns['raw process'] = { applyRoundTripUs: await rawProcessRoundTripUs(size.applies, size.reps) };
console.log('… piscina, tinypool, workerpool');
const appsBench = new URL('../../../apps/bench/', import.meta.url);
const peers = runJson(process.execPath, ['--import', 'tsx', 'src/pool-peers.ts', ...args], appsBench.pathname);
if (peers) Object.assign(columns, peers);
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
if (python && existsSync(new URL('./cpython_pool.py', import.meta.url))) {
  console.log('… CPython Pool (fork)');
  const cpython = runJson(python, [new URL('./cpython_pool.py', import.meta.url).pathname, ...args], process.cwd());
  if (cpython) columns['CPython fork'] = cpython as Row;
}

const cpython = columns['CPython fork'];
const metrics: Array<[keyof Row, string, 'higher' | 'lower', (v: number) => string]> = [
  ['mapItemsPerSec', 'map(square, 100k) items/s', 'higher', (v) => `${(v / 1e6).toFixed(2)}M`],
  ['applyRoundTripUs', 'apply round trip µs', 'lower', (v) => v.toFixed(1)],
  ['startCloseJoinMs', 'start+close+join ms', 'lower', (v) => v.toFixed(1)],
  ['startTaskShutdownMs', 'start+1 task+shutdown ms', 'lower', (v) => v.toFixed(1)],
];
const names = Object.keys(columns);
const header = ['', ...names];
const table: string[][] = [header];
for (const [key, label, better, format] of metrics) {
  table.push([label, ...names.map((name) => (columns[name]?.[key] === undefined ? '–' : format(columns[name]![key]!)))]);
  const base = cpython?.[key];
  if (base !== undefined) {
    // Speed relative to CPython: > 1 means faster than CPython.
    table.push([`  × CPython speed`, ...names.map((name) => {
      const value = columns[name]?.[key];
      if (value === undefined) return '–';
      return `${(better === 'higher' ? value / base : base / value).toFixed(2)}×`;
    })]);
  }
}
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));

if (cpython?.mapItemsPerSec && cpython.applyRoundTripUs) {
  for (const method of ['@mp thread', '@mp process']) {
    const mine = columns[method]!;
    const mapOk = mine.mapItemsPerSec! >= cpython.mapItemsPerSec;
    const applyOk = mine.applyRoundTripUs! <= cpython.applyRoundTripUs / 2;
    console.log(`${method}: map ≥ CPython: ${mapOk ? 'yes' : 'NO'}; apply ≤ ½ CPython: ${applyOk ? 'yes' : 'NO'}`);
  }
}
