// Soak: keep a Pool busy while its workers die at random, as they would in a service that
// runs for days (the OOM killer, an operator's kill -9, a task that calls process.exit()).
// Every task must be accounted for, memory must stay flat, and nothing may be left behind.
//
//   node src/soak/chaos.mjs [--seconds 60] [--start-method thread|process] [--processes 2] [--kill-every-ms 150]
//
// Tasks, a random mix: quick ones that return a value, ones that wait or spin for 5–20 ms,
// ones that use a long-lived Value + Lock + Queue passed in, ones that get a fresh Value
// each (made, shared, dropped). Every --kill-every-ms the killer strikes:
// - 'process': SIGKILL to a random live pool worker (starting, idle or busy);
// - 'thread': a worker thread cannot be SIGKILLed alone, so the killer arms a shared flag and
//   the first task to reach a kill point (at its start, mid-wait, or holding the Lock) takes
//   the flag, writes its id into it and calls process.exit(CHAOS_EXIT_CODE): its thread ends
//   abruptly, finally blocks unrun, Lock still held.
// A task passes when it resolved with its value, or rejected with a WorkerLostError that
// names its worker (and, under 'thread', only if it was the one that took the flag). Anything
// else — a wrong value, another error, a task not settled --settle-ms after the run — fails.
//
// The script runs the soak in a child of itself (marked by an environment variable) so that
// it can look, after that child has exited, for processes and /dev/shm entries left behind.
// Prints progress lines and one summary JSON line; exits 1 on any failure or leak.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMain } from '@mp/core';
import { arenaUsage } from '@mp/core/internal';
import { Queue } from '@mp/ipc';
import { Pool } from '@mp/pool';
import { Value } from '@mp/shared';
import { Lock } from '@mp/sync';

/** The exit code of a thread worker ended by its task (the 'thread' killer). */
export const CHAOS_EXIT_CODE = 86;
/** The flag's value while a kill is on offer ('thread'); a taken flag holds `-(id + 1)`. */
const ARMED = 1;
/** How long a task waits for the Lock or the Queue before it fails (a dead holder is recovered well before). */
const SHARED_TIMEOUT_MS = 10_000;
/** Set in the environment of the child that runs the soak; inherited by everything it starts. */
const RUN_ENV = 'MP_CHAOS_RUN';
/** How long the outer process waits for the soak's processes and segments to go after it exited. */
const CLEANUP_WAIT_MS = 10_000;

// ---------------------------------------------------------------------------------------
// The tasks (they run in the pool workers).

/**
 * A kill point ('thread'): the first task here after the killer armed the flag takes it and
 * ends its worker. The compare-exchange makes exactly one task take each arming.
 * @param {Value<'i'> | undefined} flag
 * @param {number} id
 */
function killPoint(flag, id) {
  if (flag !== undefined && flag.compareExchange(ARMED, -(id + 1)) === ARMED) process.exit(CHAOS_EXIT_CODE);
}

/**
 * @param {number} id
 * @param {Value<'i'> | undefined} flag
 */
export function quick(id, flag) {
  killPoint(flag, id);
  return 3 * id + 1;
}

/**
 * @param {number} id
 * @param {number} ms
 * @param {Value<'i'> | undefined} flag
 */
export async function wait(id, ms, flag) {
  killPoint(flag, id);
  await sleep(ms);
  killPoint(flag, id);
  return -id;
}

/**
 * @param {number} id
 * @param {number} ms
 * @param {Value<'i'> | undefined} flag
 */
export function spin(id, ms, flag) {
  const until = performance.now() + ms;
  let turns = 0;
  while (performance.now() < until) {
    if (++turns % 4096 === 0) killPoint(flag, id);
  }
  return id + 0.5;
}

/**
 * Counts itself in `counter` and posts its id to `queue`, both under `lock`; may die holding it.
 * @param {{ id: number, counter: Value<'i'>, lock: Lock, queue: Queue<number>, flag: Value<'i'> | undefined }} shared
 */
export function useShared({ id, counter, lock, queue, flag }) {
  killPoint(flag, id);
  if (!lock.acquireSync(SHARED_TIMEOUT_MS)) throw new Error(`Lock not acquired within ${SHARED_TIMEOUT_MS} ms (held by a dead worker and never recovered?)`);
  try {
    counter.value += 1; // a plain read-modify-write: lost updates would show a Lock that let two in
    killPoint(flag, id);
    queue.putSync(id, SHARED_TIMEOUT_MS);
  } finally {
    lock.release();
  }
  return id;
}

/**
 * Writes `2 × id` into a Value made for this task alone.
 * @param {number} id
 * @param {Value<'d'>} value
 * @param {Value<'i'> | undefined} flag
 */
export function fresh(id, value, flag) {
  killPoint(flag, id);
  value.value = 2 * id;
  return value.value + 1;
}

// ---------------------------------------------------------------------------------------
// Looking at processes and /dev/shm.

/** @param {string} pid */
function ppidOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * The live children of this process, with their command lines.
 * @returns {Array<{ pid: number, cmd: string }>}
 */
function children() {
  /** @type {Array<{ pid: number, cmd: string }>} */
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (ppidOf(entry) !== process.pid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped
      found.push({ pid: Number(entry), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** @param {{ cmd: string }} child */
const isPoolWorker = (child) => /entry\/process\.js/.test(child.cmd);

/**
 * Live processes (other than zombies) whose environment carries `marker`: everything the
 * soak started, even once re-parented.
 * @param {string} marker
 */
function markedProcesses(marker) {
  const needle = `${RUN_ENV}=${marker}\0`;
  /** @type {Array<{ pid: number, cmd: string }>} */
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').includes(needle)) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function shmNames() {
  try {
    return readdirSync('/dev/shm');
  } catch {
    return [];
  }
}

function memory() {
  return { arenaInUse: arenaUsage().inUse, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

// ---------------------------------------------------------------------------------------
// The soak itself (the child).

/**
 * @typedef {{ seconds: number, method: 'thread' | 'process', processes: number, killEveryMs: number,
 *   inFlight: number, settleMs: number, maxGrowth: number, maxRssGrowthMiB: number, reportEveryMs: number }} Options
 * @typedef {{ arenaInUse: number, rssMiB: number }} Sample
 * @typedef {'quick' | 'wait' | 'spin' | 'shared' | 'fresh'} Kind
 * @typedef {{ id: number, kind: Kind, expected: number, value?: Value<'d'> }} Task
 */

/** @param {Options} o */
async function soak(o) {
  const before = memory();
  const pool = new Pool({ processes: o.processes, context: o.method });
  const counter = new Value('i', 0);
  const lock = new Lock();
  /** @type {Queue<number>} */
  const queue = new Queue();
  /** @type {Value<'i'> | undefined} */
  const flag = o.method === 'thread' ? new Value('i', 0, { lock: false }) : undefined;
  const workerName = new RegExp(`^${o.method === 'thread' ? 'Thread' : 'Process'}PoolWorker-\\d+$`);

  /** @type {Map<number, Task>} */
  const pending = new Map();
  /** @type {Set<number>} */
  const claimed = new Set(); // 'thread': ids of the tasks that took the flag (and ended their worker)
  /** @type {Set<number>} */
  const lostIds = new Set();
  /** @type {Set<number>} */
  const resolvedShared = new Set();
  /** @type {Set<number>} */
  const sharedIds = new Set();
  /** @type {Map<number, number>} */
  const received = new Map(); // ids the shared tasks posted, and how often
  /** @type {Array<Record<string, unknown>>} */
  const failures = [];
  /** @type {Set<string>} */
  const lostWorkers = new Set();
  /** @type {Set<number>} */
  const workerPids = new Set();
  const count = { submitted: 0, resolved: 0, lost: 0, failed: 0, kills: 0, killMisses: 0 };
  /** @type {Record<Kind, number>} */
  const kinds = { quick: 0, wait: 0, spin: 0, shared: 0, fresh: 0 };

  const started = performance.now();
  /** @param {Record<string, unknown>} failure */
  const fail = (failure) => {
    count.failed++;
    if (failures.length >= 20) return;
    failures.push(failure);
    console.log(JSON.stringify({ t: Math.round((performance.now() - started) / 100) / 10, failure })); // as it happens: the run may not get to its summary
  };
  /** @param {unknown} error */
  const stackOf = (error) => (error instanceof Error && error.stack ? error.stack.split('\n').slice(0, 5).join(' | ') : String(error));

  // Drains the queue as the shared tasks fill it.
  let draining = true;
  const drained = (async () => {
    while (draining) {
      try {
        const id = await queue.get(200);
        received.set(id, (received.get(id) ?? 0) + 1);
      } catch (error) {
        if (/** @type {{ code?: unknown }} */ (error).code !== 'ERR_MP_QUEUE_EMPTY') fail({ where: 'queue consumer', error: String(error) });
      }
    }
  })();

  /** @type {(() => void) | undefined} */
  let wake;
  let closed = false;
  let nextId = 0;
  const submit = () => {
    const id = nextId++;
    const roll = Math.random();
    const ms = 5 + Math.floor(Math.random() * 16);
    /** @type {Task} */
    let task;
    /** @type {Promise<unknown>} */
    let result;
    if (roll < 0.4) {
      task = { id, kind: 'quick', expected: 3 * id + 1 };
      result = pool.apply(quick, [id, flag]);
    } else if (roll < 0.6) {
      task = { id, kind: 'wait', expected: -id };
      result = pool.apply(wait, [id, ms, flag]);
    } else if (roll < 0.7) {
      task = { id, kind: 'spin', expected: id + 0.5 };
      result = pool.apply(spin, [id, ms, flag]);
    } else if (roll < 0.9) {
      task = { id, kind: 'shared', expected: id };
      sharedIds.add(id);
      result = pool.apply(useShared, [{ id, counter, lock, queue, flag }]);
    } else {
      const value = new Value('d', -1);
      task = { id, kind: 'fresh', expected: 2 * id + 1, value };
      result = pool.apply(fresh, [id, value, flag]);
    }
    count.submitted++;
    kinds[task.kind]++;
    pending.set(id, task);
    result.then(
      (value) => {
        if (closed) return;
        pending.delete(id);
        wake?.();
        if (value !== task.expected) return fail({ id, kind: task.kind, expected: task.expected, received: value });
        if (task.value !== undefined && task.value.value !== 2 * id) {
          return fail({ id, kind: task.kind, problem: 'the fresh Value does not hold what the worker wrote', expected: 2 * id, received: task.value.value });
        }
        if (claimed.has(id)) return fail({ id, kind: task.kind, problem: 'resolved although it ended its worker' });
        if (task.kind === 'shared') resolvedShared.add(id);
        count.resolved++;
      },
      (/** @type {Error & { code?: unknown, worker?: unknown, signal?: unknown, exitCode?: unknown }} */ error) => {
        if (closed) return;
        pending.delete(id);
        wake?.();
        const worker = typeof error?.worker === 'string' ? error.worker : undefined;
        if (error?.code !== 'ERR_MP_WORKER_LOST' || worker === undefined || !workerName.test(worker) || !error.message.includes(worker)) {
          return fail({ id, kind: task.kind, problem: 'rejected with something else than a WorkerLostError naming its worker', error: String(error), code: error?.code, worker: error?.worker });
        }
        // How it died must be how we killed it: SIGKILL ('process'), or our exit code ('thread').
        const how = o.method === 'process' ? error.signal === 'SIGKILL' : error.signal === null && error.exitCode === CHAOS_EXIT_CODE;
        if (!how) return fail({ id, kind: task.kind, problem: 'lost, but not the way the killer kills', message: error.message, signal: error.signal, exitCode: error.exitCode });
        count.lost++;
        lostIds.add(id);
        lostWorkers.add(worker);
      },
    ).catch((/** @type {unknown} */ error) => fail({ id, kind: task.kind, problem: 'checking the outcome threw', error: stackOf(error) }));
  };

  const scanWorkers = () => {
    const workers = children().filter(isPoolWorker);
    for (const w of workers) workerPids.add(w.pid);
    return workers;
  };

  /** @param {number} id a task that took the flag ('thread') */
  const claim = (id) => {
    // A task runs once: taking the flag twice means the pool ran it again after it ended its worker.
    if (claimed.has(id)) fail({ id, problem: 'ended its worker twice: the pool ran it again' });
    claimed.add(id);
  };

  const strike = () => {
    if (o.method === 'process') {
      const workers = scanWorkers();
      const victim = workers[Math.floor(Math.random() * workers.length)];
      if (victim === undefined) return void count.killMisses++;
      try {
        process.kill(victim.pid, 'SIGKILL');
        count.kills++;
      } catch {
        count.killMisses++; // it exited meanwhile
      }
    } else if (flag !== undefined) {
      // Re-arm; a negative value is the id of the task that took the last arming.
      const taken = flag.exchange(ARMED);
      if (taken < 0) {
        claim(-taken - 1);
        count.kills++;
      } else if (taken === ARMED) {
        count.killMisses++; // no task reached a kill point since the last strike
      }
    }
  };

  /** @type {{ before: Sample, start?: Sample, middle?: Sample, end?: Sample }} */
  const samples = { before };
  const endAt = started + o.seconds * 1_000;
  const startSampleAt = started + Math.min(5_000, (o.seconds * 1_000) / 10);
  const middleAt = started + (o.seconds * 1_000) / 2;
  let nextReport = started + o.reportEveryMs;
  const progress = () =>
    console.log(JSON.stringify({ t: Math.round((performance.now() - started) / 100) / 10, ...count, pending: pending.size, ...memory(), shm: shmNames().length }));

  const killer = setInterval(() => {
    try {
      strike();
    } catch (error) {
      fail({ problem: 'the killer threw', error: stackOf(error) });
    }
  }, o.killEveryMs);
  while (performance.now() < endAt) {
    try {
      while (pending.size < o.inFlight) submit();
    } catch (error) {
      fail({ problem: 'the run stopped: making or submitting a task threw', error: stackOf(error) });
      break;
    }
    await new Promise((resolve) => {
      wake = () => resolve(undefined);
      // Also wake up now and then, so that the samples are taken on time when all tasks wait.
      setTimeout(wake, 50).unref();
    });
    const now = performance.now();
    if (samples.start === undefined && now >= startSampleAt) samples.start = memory();
    if (samples.middle === undefined && now >= middleAt) samples.middle = memory();
    if (now >= nextReport) {
      nextReport += o.reportEveryMs;
      progress();
    }
  }
  clearInterval(killer);
  if (flag !== undefined) {
    // Disarm; a task may have taken the flag since the last strike.
    const taken = flag.exchange(0);
    if (taken < 0) {
      claim(-taken - 1);
      count.kills++;
    }
  }

  // Every task must settle by itself now that the killing stopped.
  const settleBy = performance.now() + o.settleMs;
  while (pending.size > 0 && performance.now() < settleBy) await sleep(20);
  const unsettled = [...pending.values()];
  for (const task of unsettled) fail({ id: task.id, kind: task.kind, problem: `not settled ${o.settleMs} ms after the run` });
  closed = true; // what terminate() does to them is not counted again
  const settleMs = Math.round(performance.now() - (settleBy - o.settleMs));

  // Terminated with nothing left to run: anything it still rejects was counted above.
  await pool.terminate().catch((/** @type {unknown} */ error) => fail({ problem: 'terminate() rejected', error: stackOf(error) }));
  draining = false;
  await drained;
  for (;;) {
    try {
      const id = queue.getNowait();
      received.set(id, (received.get(id) ?? 0) + 1);
    } catch {
      break;
    }
  }
  scanWorkers();
  const leftoverWorkers = children().filter(isPoolWorker);
  const otherChildren = children().filter((c) => !isPoolWorker(c));

  // The shared objects: the Lock let one task in at a time, each task ran at most once.
  for (const [id, times] of received) {
    if (!sharedIds.has(id)) fail({ problem: 'the queue holds an id no shared task had', id });
    if (times > 1) fail({ problem: 'a shared task ran more than once', id, times });
  }
  for (const id of resolvedShared) if (!received.has(id)) fail({ problem: 'a resolved shared task is missing from the queue', id });
  const increments = counter.value;
  if (increments < received.size || increments > sharedIds.size) {
    fail({ problem: 'the counter does not match the shared tasks (a Lock that let two in?)', counter: increments, posted: received.size, submitted: sharedIds.size });
  }
  let collateral = 0;
  if (o.method === 'thread') {
    for (const id of claimed) if (!lostIds.has(id) && !unsettled.some((t) => t.id === id)) fail({ id, problem: 'ended its worker but was not reported lost' });
    // A task that had finished on the worker, but whose result was still in the worker's outgoing
    // batch (results leave every ~2 ms) when a later task ended it, is lost with it (never run
    // again): counted, not a failure — it is rejected with WorkerLostError naming its worker.
    for (const id of lostIds) if (!claimed.has(id)) collateral++;
  } else if (count.lost > count.kills) {
    fail({ problem: 'more tasks lost than workers killed', lost: count.lost, kills: count.kills });
  }
  if (leftoverWorkers.length > 0) fail({ problem: 'pool workers alive after terminate()', leftoverWorkers });

  // Memory: what the pool, its workers and the tasks hold once they are gone.
  const end = memory();
  samples.end = end;
  const start = samples.start ?? samples.before;
  const arenaGrowth = end.arenaInUse - start.arenaInUse;
  const rssGrowthMiB = end.rssMiB - start.rssMiB;
  const leak = arenaGrowth > o.maxGrowth || rssGrowthMiB > o.maxRssGrowthMiB;

  return {
    startMethod: o.method,
    seconds: o.seconds,
    processes: o.processes,
    killEveryMs: o.killEveryMs,
    tasks: { submitted: count.submitted, resolved: count.resolved, lost: count.lost, lostWithResultInFlight: collateral, failed: count.failed, unsettled: unsettled.length, ...kinds },
    kills: count.kills,
    killMisses: count.killMisses,
    workersLost: lostWorkers.size,
    workerPidsSeen: workerPids.size,
    shared: { counter: increments, posted: received.size, resolved: resolvedShared.size, submitted: sharedIds.size },
    memory: { ...samples, arenaGrowth, rssGrowthMiB },
    settleMs,
    leftoverWorkers,
    otherChildren,
    pid: process.pid,
    workerPids: [...workerPids],
    failures,
    ok: count.failed === 0 && !leak,
    leak,
  };
}

// ---------------------------------------------------------------------------------------
// The outer process: runs the soak in a child, then looks for what it left behind.

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function outer(argv) {
  const marker = randomBytes(8).toString('hex');
  const shmBefore = new Set(shmNames());
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv], {
    env: { ...process.env, [RUN_ENV]: marker },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  /** @type {any} */
  let report;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (/** @type {string} */ chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{"summary":')) report = JSON.parse(line).summary;
      else console.log(line);
    }
  });
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));

  // The tracker and any child may take a moment to notice their program is gone.
  const ours = new Set([child.pid, ...(report?.workerPids ?? [])]);
  /** @param {string} name */
  const isOurs = (name) => {
    const pid = /^mp-(\d+)-/.exec(name)?.[1];
    return pid !== undefined && ours.has(Number(pid));
  };
  const deadline = performance.now() + CLEANUP_WAIT_MS;
  let leftover = markedProcesses(marker);
  let shmLeft = shmNames().filter((name) => !shmBefore.has(name) && isOurs(name));
  while ((leftover.length > 0 || shmLeft.length > 0) && performance.now() < deadline) {
    await sleep(100);
    leftover = markedProcesses(marker);
    shmLeft = shmNames().filter((name) => !shmBefore.has(name) && isOurs(name));
  }
  const figures = { ...report };
  delete figures.workerPids; // hundreds of pids under 'process': the count is workerPidsSeen
  const summary = {
    ...figures,
    soakExit: { code, signal },
    shmEntries: { before: shmBefore.size, after: shmNames().length, leftByThisRun: shmLeft },
    processesLeftAfterExit: leftover,
  };
  summary.ok = report !== undefined && report.ok === true && code === 0 && leftover.length === 0 && shmLeft.length === 0;
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      'start-method': { type: 'string', default: 'thread' },
      processes: { type: 'string', default: '2' },
      'kill-every-ms': { type: 'string', default: '150' },
      'in-flight': { type: 'string', default: '16' },
      'settle-ms': { type: 'string', default: '30000' },
      'max-growth': { type: 'string', default: String(4 * 1024 * 1024) },
      'max-rss-growth-mib': { type: 'string', default: '128' },
      'report-every-ms': { type: 'string', default: '10000' },
    },
  });
  const method = values['start-method'];
  if (method !== 'thread' && method !== 'process') throw new RangeError(`Expected --start-method thread or process, got ${method}`);
  if (process.env[RUN_ENV] === undefined) process.exit(await outer(process.argv.slice(2)));
  const summary = await soak({
    seconds: Number(values.seconds),
    method,
    processes: Number(values.processes),
    killEveryMs: Number(values['kill-every-ms']),
    inFlight: Number(values['in-flight']),
    settleMs: Number(values['settle-ms']),
    maxGrowth: Number(values['max-growth']),
    maxRssGrowthMiB: Number(values['max-rss-growth-mib']),
    reportEveryMs: Number(values['report-every-ms']),
  });
  console.log(JSON.stringify({ summary }));
  process.exit(summary.ok ? 0 : 1);
}

if (isMain(import.meta)) await main();
