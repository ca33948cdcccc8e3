// How much work each case does: the full run (the sizes of issue 8), or `--quick`,
// a smoke test that only proves every case runs.
import { cpuCount } from '@mp/core';

/** @type {import('./types.mjs').Sizes} */
export const FULL = {
  reps: 5,
  warmUpRound: true,
  repTimeoutMs: 60_000,
  processesAtOnce: 10,
  poolProcesses: cpuCount(),
  mapItems: 100_000,
  applies: 2_000,
  poolWarmUpMs: 1_500,
  queueSmall: 200_000,
  queueKib: 50_000,
  pipeTrips: 20_000,
  lockOps: 2_000_000,
  increments: 100_000,
  eventTrips: 20_000,
  warmUpTrips: 1_000,
  arrayLength: 1_000_000,
};

/** @type {import('./types.mjs').Sizes} */
export const QUICK = {
  reps: 1,
  warmUpRound: false,
  repTimeoutMs: 30_000,
  processesAtOnce: 3,
  poolProcesses: cpuCount(),
  mapItems: 1_000,
  applies: 20,
  poolWarmUpMs: 0,
  queueSmall: 1_000,
  queueKib: 200,
  pipeTrips: 100,
  lockOps: 10_000,
  increments: 1_000,
  eventTrips: 100,
  warmUpTrips: 10,
  arrayLength: 10_000,
};
