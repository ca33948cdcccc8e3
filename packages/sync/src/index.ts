/**
 * Synchronisation primitives — Python's `Lock`, `RLock`, `Semaphore`,
 * `BoundedSemaphore`, `Event`, `Condition` and `Barrier` — over shared memory,
 * between the main program and its children.
 *
 * @packageDocumentation
 * @module @mp/sync
 */
export { Lock } from './lock.js';
export { RLock } from './rlock.js';
export { Semaphore } from './semaphore.js';
export { BoundedSemaphore } from './bounded-semaphore.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Barrier, type BarrierOptions } from './barrier.js';
export { OverReleaseError, NotOwnerError, BrokenBarrierError } from './errors.js';
export type { Held } from './held.js';
