#!/usr/bin/env node
// `pnpm bench`: every case of issue 8 — @mp under 'thread' and 'process', CPython's
// multiprocessing (fork, spawn), the Node.js pools and the raw Node.js floor — in one
// run, interleaved, printed as one table per figure. See README.md for how to read it.
//
//   node src/main.mjs [--quick] [--json FILE] [--reps N] [--only ID[,ID…]]
//
// Plain JavaScript on purpose: on Node 20 a TypeScript target would make every child
// load tsx, and that is not what this measures.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { whenSparesReady } from '@mp/core/internal';
import { clusterCases } from './cases/cluster.mjs';
import { eventCases } from './cases/event.mjs';
import { listenerCases } from './cases/listener.mjs';
import { managerCases } from './cases/manager.mjs';
import { lockCases } from './cases/lock.mjs';
import { pipeCases } from './cases/pipe.mjs';
import { poolCases } from './cases/pool.mjs';
import { processCases } from './cases/process.mjs';
import { queueCases } from './cases/queue.mjs';
import { sharedArrayCases } from './cases/shared-array.mjs';
import { sharedMemoryCases } from './cases/shared-memory.mjs';
import { closePythonServers, pythonVersion } from './cpython.mjs';
import { formatDetail, formatMetric, metricHeading, rowsOf } from './report.mjs';
import { closeResources } from './resources.mjs';
import { runInterleaved } from './runner.mjs';
import { FULL, QUICK } from './sizes.mjs';

const USAGE = `Usage: pnpm bench [--quick] [--json FILE] [--reps N] [--only ID[,ID…]]

  --quick       tiny sizes, one repetition, no warm-up: a smoke test (numbers mean nothing)
  --json FILE   also write every figure (and every sample) to FILE as JSON
  --reps N      timed repetitions of every variant (default ${FULL.reps})
  --only IDS    run only the cases whose id starts with one of IDS (comma-separated), e.g. pool,lock
  --verbose     log every step on stderr, with the time it started
`;

/**
 * @param {string[]} argv
 * @returns {{ quick: boolean, json: string | undefined, reps: number | undefined, only: string[], verbose: boolean }}
 */
function parse(argv) {
  /** @type {{ quick: boolean, json: string | undefined, reps: number | undefined, only: string[], verbose: boolean }} */
  const options = { quick: false, json: undefined, reps: undefined, only: [], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) fail(`${flag} needs a value`);
      return /** @type {string} */ (next);
    };
    if (flag === '--') continue; // pnpm may pass the separator through
    else if (flag === '--quick') options.quick = true;
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--json') options.json = value();
    else if (flag === '--reps') {
      const reps = Number(value());
      if (!Number.isInteger(reps) || reps < 1) fail(`--reps expects a positive integer, got ${String(reps)}`);
      options.reps = reps;
    } else if (flag === '--only') options.only.push(...value().split(',').filter(Boolean));
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return options;
}

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const options = parse(process.argv.slice(2));
const sizes = { ...(options.quick ? QUICK : FULL), ...(options.reps === undefined ? {} : { reps: options.reps }) };
const cases = [
  ...processCases(sizes),
  ...poolCases(sizes),
  ...queueCases(sizes),
  ...pipeCases(sizes),
  ...lockCases(sizes),
  ...eventCases(sizes),
  ...sharedArrayCases(sizes),
  ...listenerCases(sizes),
  ...managerCases(sizes),
  ...sharedMemoryCases(sizes),
  ...clusterCases(sizes),
].filter((bench) => options.only.length === 0 || options.only.some((id) => bench.id.startsWith(id)));
if (cases.length === 0) fail(`--only ${options.only.join(',')} matches no case`);

const python = pythonVersion();
const loadBefore = loadavg();
const started = new Date();
const interactive = process.stderr.isTTY && !options.verbose;
const results = await runInterleaved(cases, {
  reps: sizes.reps,
  warmUpRound: sizes.warmUpRound,
  repTimeoutMs: sizes.repTimeoutMs,
  // The spares a repetition took are replaced in the background (a Node.js boot each): that CPU
  // must not land on the next contender's clock, whichever it is (CPython's included).
  quiesce: whenSparesReady,
  progress: (line) => {
    if (options.verbose) process.stderr.write(`[${((Date.now() - started.getTime()) / 1e3).toFixed(1)} s] ${line}\n`);
    else if (interactive) process.stderr.write(`\r\x1b[K${line}`);
  },
});
if (interactive) process.stderr.write('\r\x1b[K');
await Promise.all([closeResources(), closePythonServers()]);

const heading = [
  `@mp bench${options.quick ? ' --quick (tiny sizes: the numbers mean nothing)' : ''} — Node ${process.version}, ${python ?? 'no python3 (CPython rows skipped)'}, ` +
    `${availableParallelism()} CPUs, load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} at start`,
  `Each figure: median of ${sizes.reps} repetition${sizes.reps === 1 ? '' : 's'} (min–max)${sizes.warmUpRound ? ' after one untimed warm-up round' : ''}; ` +
    'all cases and contenders interleaved round-robin.',
  "× columns: how many times faster @mp is than that row, by medians (2.00× = @mp takes half the time or does twice the items/s; 0.50× = twice as slow).",
];
console.log(heading.join('\n'));

let failures = 0;
/** @type {unknown[]} */
const jsonCases = [];
for (const bench of cases) {
  const byMetric = /** @type {Map<string, import('./types.mjs').Outcome[]>} */ (results.get(bench));
  const single = bench.metrics.length === 1 && bench.metrics[0]?.title === bench.title;
  console.log(`\n${bench.title}${single ? ` — ${metricHeading(/** @type {import('./types.mjs').Metric} */ (bench.metrics[0]), false)}` : ''}`);
  console.log(formatDetail(bench.detail));
  /** @type {unknown[]} */
  const jsonMetrics = [];
  for (const metric of bench.metrics) {
    const rows = rowsOf(metric, /** @type {import('./types.mjs').Outcome[]} */ (byMetric.get(metric.id)));
    failures += rows.filter((row) => row.error !== undefined).length;
    if (!single) console.log(metricHeading(metric, true));
    console.log(formatMetric(metric, rows));
    jsonMetrics.push({ ...metric, rows });
  }
  jsonCases.push({ id: bench.id, title: bench.title, detail: bench.detail, metrics: jsonMetrics });
}

if (options.json !== undefined) {
  const file = resolve(process.env['INIT_CWD'] ?? process.cwd(), options.json);
  const report = {
    node: process.version,
    python,
    cpus: availableParallelism(),
    platform: `${process.platform} ${process.arch}`,
    started: started.toISOString(),
    loadAverage: { start: loadBefore, end: loadavg() },
    quick: options.quick,
    sizes,
    speedupMeaning: "rows[].speedup.thread / .process: median of that row ÷ median of @mp (lower-is-better units), or the inverse; > 1 means @mp is faster",
    cases: jsonCases,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nJSON written to ${file}`);
}
if (failures > 0) console.log(`\n${failures} variant${failures === 1 ? '' : 's'} FAILED (see above)`);
// Idle pools, timed-out waits: nothing should keep the bench alive once it has reported.
process.exit(failures > 0 ? 1 : 0);
