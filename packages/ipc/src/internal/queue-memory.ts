import { allocateShared, freeShared, type SharedRegion } from '@mp/core';
import { CONTROL_BYTES, Channel } from './channel.js';

/**
 * The lifetime of a queue's shared memory. A queue that never left its
 * isolate is freed (control block, segments, pending out-of-line items) when
 * its object is garbage-collected. Once shared — passed to a child, put in an
 * item or a message — any thread may still use it and nobody can tell when
 * the last one stops: its memory then lives as long as the arena (the OS
 * process), like every shared region of `@mp/core`.
 */
const unshared = new FinalizationRegistry<SharedRegion>((control) => {
  new Channel(control).freeAll();
  freeShared(control);
});

/** A new channel whose memory is reclaimed with `owner` unless {@link markShared} is called. */
export function createChannel(owner: object, maxsize: number): Channel {
  const control = allocateShared(CONTROL_BYTES, { reclaim: false });
  const channel = Channel.create(control, maxsize);
  unshared.register(owner, control, owner);
  return channel;
}

/** `owner`'s channel is leaving its isolate: never reclaim it. */
export function markShared(owner: object): void {
  unshared.unregister(owner);
}
