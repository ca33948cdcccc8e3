// The start gate of the children of a contended case, in three words of shared
// memory: 0 "go", 1 children ready, 2 children done. The parent waits until all are
// ready, starts its clock, opens the gate, and stops its clock when all are done,
// so child start-up and exit stay out of the figure. Waits go through @mp/core's
// waitSync/notify, which keep working when the gate is in cross-process memory.
import { notify, waitSync } from '@mp/core';

/** @param {Int32Array} gate */
export function enter(gate) {
  Atomics.add(gate, 1, 1);
  notify(gate, 1);
  while (Atomics.load(gate, 0) === 0) waitSync(gate, 0, 0);
}

/** @param {Int32Array} gate */
export function leave(gate) {
  Atomics.add(gate, 2, 1);
  notify(gate, 2);
}
