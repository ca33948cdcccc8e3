// With MP_SHARED_MEMORY=local the arena is a plain SharedArrayBuffer, which
// cannot reach another OS process: passing each primitive to a 'process'
// child fails at start(), naming the start method. Prints one line per primitive.
import { Process, isMain } from '@mp/core';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from '@mp/sync';

export function noop(_primitive: unknown): void {}

if (isMain(import.meta)) {
  const make = [
    () => new Lock(),
    () => new RLock(),
    () => new Semaphore(2),
    () => new BoundedSemaphore(2),
    () => new Event(),
    () => new Condition(),
    () => new Barrier(2),
  ];
  for (const primitive of make.map((f) => f())) {
    try {
      new Process({ target: noop, args: [primitive], context: 'process' }).start();
      console.log(`${primitive.constructor.name}: started`);
    } catch (error) {
      console.log(`${primitive.constructor.name}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
}
