// Soak: make shared objects, hand them to a child, drop them — for ever, as a server that
// makes a Queue per request would. Memory (the arena, RSS, /dev/shm) must stay flat.
//
//   node src/soak/create-share-drop.mjs [--iterations 200000] [--via pool|process|local] [--start-method thread|process]
//
// Prints one JSON line per report and a summary line; exits 1 when the arena use at the end
// is more than --max-growth bytes above what it was after the warm-up.
import { parseArgs } from 'node:util';
import { readdirSync } from 'node:fs';
import { Process, isMain } from '@mp/core';
import { arenaUsage, sweep } from '@mp/core/internal';
import { Queue } from '@mp/ipc';
import { Pool } from '@mp/pool';
import { Value } from '@mp/shared';
import { Event, Lock } from '@mp/sync';

/**
 * @typedef {{ queue: Queue<number>, value: Value<'i'>, lock: Lock, event: Event }} Objects
 */

/**
 * The task: uses each object a little, so that each is really revived and touched.
 * @param {Objects} objects
 */
export function touch({ queue, value, lock, event }) {
  lock.acquireSync();
  value.value += 1;
  lock.release();
  queue.putSync(value.value);
  event.set();
  return queue.getSync(1_000);
}

/** @returns {Objects} */
function make() {
  return { queue: new Queue(), value: new Value('i', 0), lock: new Lock(), event: new Event() };
}

/** Arena bytes in use once this isolate's garbage is collected and its finalizers ran: not a point on the GC sawtooth. */
async function settledUsage() {
  for (let i = 0; i < 3; i++) {
    sweep();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return arenaUsage().inUse;
}

function shmEntries() {
  try {
    return readdirSync('/dev/shm').length;
  } catch {
    return -1;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '200000' },
      via: { type: 'string', default: 'pool' },
      'start-method': { type: 'string', default: 'thread' },
      'report-every': { type: 'string', default: '10000' },
      'max-growth': { type: 'string', default: String(4 * 1024 * 1024) },
    },
  });
  const iterations = Number(values.iterations);
  const every = Number(values['report-every']);
  const method = /** @type {import('@mp/core').StartMethod} */ (values['start-method']);
  const pool = values.via === 'pool' ? new Pool({ processes: 2, context: method }) : undefined;
  const warmUp = Math.min(1_000, Math.floor(iterations / 10));
  let baseline = 0;
  const started = performance.now();
  for (let i = 1; i <= iterations; i++) {
    const objects = make();
    if (pool) {
      await pool.apply(touch, [objects]);
    } else if (values.via === 'process') {
      const p = new Process({ target: touch, args: [objects], context: method });
      p.start();
      await p.join();
      if (p.exitCode !== 0) throw new Error(`child ${i} exited ${p.exitCode}`);
    } else {
      touch(objects);
      // A server turn: the next request comes in a new task of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (i === warmUp) baseline = await settledUsage();
    if (i % every === 0 || i === iterations) {
      const { inUse, bytes } = arenaUsage();
      const report = { i, arenaInUse: inUse, arenaBytes: bytes, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), shm: shmEntries(), seconds: Math.round((performance.now() - started) / 100) / 10 };
      console.log(JSON.stringify(report));
    }
  }
  await pool?.terminate();
  // Measured as the baseline was: after this isolate collected its garbage (the workers are gone).
  const growth = (await settledUsage()) - baseline;
  console.log(`arena growth after warm-up: ${growth} bytes over ${iterations - warmUp} iterations`);
  if (growth > Number(values['max-growth'])) process.exit(1);
}

if (isMain(import.meta)) await main();
