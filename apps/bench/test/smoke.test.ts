// The whole bench with --quick: every case runs, and every row has a figure or one of
// the documented reasons for having none. No timing assertions: speed is what the
// bench prints, not what a test checks.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Row {
  name: string;
  kind: 'mp-thread' | 'mp-process' | 'cpython-fork' | 'cpython-spawn' | 'peer' | 'floor';
  samples: number[];
  median?: number;
  min?: number;
  max?: number;
  na?: string;
  error?: string;
  speedup: { thread: number | null; process: number | null };
}
interface Report {
  python: string | null;
  quick: boolean;
  cases: { id: string; title: string; metrics: { id: string; unit: string; rows: Row[] }[] }[];
}

const MAIN = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
/** Cases whose objects live in shared memory: 'process' may still answer StartMethodError. */
const SHARED_MEMORY_CASES = ['queue-small', 'queue-kib', 'pipe', 'lock-uncontended', 'lock-increments', 'event', 'shared-array', 'shared-memory-attach'];
const ALL_CASES = [
  ...['process-one', 'process-ten', 'process-ts', 'pool-start', 'pool-map', 'pool-apply', 'pool-abort'],
  ...['queue-small', 'queue-kib', 'pipe', 'lock-uncontended', 'lock-increments', 'event', 'shared-array'],
  ...['listener', 'manager-dict', 'shared-memory-attach'],
  ...['cluster-map', 'cluster-apply', 'cluster-chunking'],
];
/** Cases CPython has no counterpart for (its Pool cannot stop one running task): measured beside the Node pools only. */
const NO_CPYTHON = ['pool-abort', 'process-ts', 'cluster-map', 'cluster-apply', 'cluster-chunking'];
/** Cases that need a redis-server: without one (outside CI) every row is skipped, saying what to install. */
const REDIS_CASES = ['cluster-map', 'cluster-apply', 'cluster-chunking'];

let scratch: string;
let report: Report;
let stdout: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mp-bench-smoke-'));
  const file = join(scratch, 'bench.json');
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [MAIN, '--quick', '--json', file], {
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    // Exit code 1 = some variant failed: the JSON says which, and the tests below report it.
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code !== 1) throw error;
    stdout = failed.stdout ?? '';
    console.error(failed.stderr);
  }
  report = JSON.parse(readFileSync(file, 'utf8')) as Report;
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm bench --quick', () => {
  it('runs every case of issue 8', () => {
    expect(report.quick).toBe(true);
    expect(report.cases.map((c) => c.id)).toEqual(ALL_CASES);
  });

  it('gives every row a figure, or a documented n/a', () => {
    for (const bench of report.cases) {
      for (const metric of bench.metrics) {
        const kinds = metric.rows.map((row) => row.kind);
        const expected = NO_CPYTHON.includes(bench.id) ? ['mp-thread', 'mp-process'] : ['mp-thread', 'mp-process', 'cpython-fork', 'cpython-spawn'];
        expect(kinds, `${bench.id}/${metric.id}`).toEqual(expect.arrayContaining(expected));
        expect(kinds.some((kind) => kind === 'peer' || kind === 'floor'), `${bench.id}/${metric.id} has a Node peer or floor`).toBe(true);
        for (const row of metric.rows) {
          const where = `${bench.id}/${metric.id}/${row.name}`;
          expect(row.error, where).toBeUndefined();
          if (row.na === undefined) {
            expect(Number.isFinite(row.median), where).toBe(true);
            expect(row.min! <= row.median! && row.median! <= row.max!, where).toBe(true);
            expect(row.samples.length, where).toBeGreaterThan(0);
          } else if (row.kind === 'mp-process' && SHARED_MEMORY_CASES.includes(bench.id)) {
            expect(row.na, where).toBe('StartMethodError');
          } else if (REDIS_CASES.includes(bench.id) && process.env['CI'] !== 'true') {
            expect(row.na, where).toBe('skipped: redis-server not found (apt-get install -y redis-server)');
          } else if (row.kind === 'cpython-fork' || row.kind === 'cpython-spawn') {
            expect(report.python, where).toBeNull();
            expect(row.na, where).toBe('skipped: python3 not found');
          } else {
            expect.fail(`${where}: unexpected n/a (${row.na})`);
          }
        }
      }
    }
  });

  it("compares @mp 'thread' with every other row that has a figure", () => {
    for (const bench of report.cases) {
      for (const metric of bench.metrics) {
        for (const row of metric.rows) {
          if (row.kind === 'mp-thread' || row.median === undefined) continue;
          expect(Number.isFinite(row.speedup.thread), `${bench.id}/${metric.id}/${row.name}`).toBe(true);
        }
      }
    }
  });

  it('prints the table', () => {
    for (const bench of report.cases) expect(stdout).toContain(bench.title);
    expect(stdout).toContain("@mp 'thread' ×");
  });
});
