import { allocateShared, freeShared, type SharedRegion } from '@mp/core';
import { SHARE_MIN } from './numbers.js';

/**
 * The host's side of chunks of numbers in shared memory (see numbers.ts): the
 * blocks of the arena they are written into, and their freeing. Apart from
 * numbers.ts because workers load that one at their start, and this one
 * would make them load all of @mp/core's public entry for nothing.
 */

/** A chunk of numbers in a block of the shared arena: the host's view of it, and the block to free. */
export interface SharedNumbers {
  readonly region: SharedRegion;
  readonly view: Float64Array;
}

/**
 * The items in a fresh block of shared memory, when there are at least {@link SHARE_MIN} and all are
 * numbers; `undefined` otherwise, or when the arena has no room (the chunk then travels by copy).
 */
export function shareNumbers(items: readonly unknown[]): SharedNumbers | undefined {
  const length = items.length;
  if (length < SHARE_MIN) return undefined;
  for (let i = 0; i < length; i++) if (typeof items[i] !== 'number') return undefined;
  let region: SharedRegion;
  try {
    // Freed by the pool itself (freeNumbers): no lifetime tracking, no sweep.
    region = allocateShared(length * 8, { reclaim: false });
  } catch {
    return undefined; // the arena is full: copy this chunk instead
  }
  const view = new Float64Array(region.buffer, region.byteOffset, length);
  for (let i = 0; i < length; i++) view[i] = items[i] as number;
  return { region, view };
}

/** Gives the block back to the arena; no one may read or write it afterwards. */
export function freeNumbers(numbers: SharedNumbers): void {
  freeShared(numbers.region);
}
