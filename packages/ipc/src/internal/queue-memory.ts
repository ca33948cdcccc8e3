import { allocateShared, regionAt } from '@mp/core';
import { defineRelease } from '@mp/core/internal';
import { CONTROL_BYTES, Channel } from './channel.js';

/**
 * The lifetime of a queue's shared memory: its control block is a region of
 * `@mp/core` whose memory comes back once no thread or process holds the
 * queue any more (every copy garbage-collected or closed, or gone with its
 * isolate). Then this routine frees what the control block points at: its
 * segments and the out-of-line items nobody took.
 */
const CHANNEL = defineRelease('@mp/ipc.channel', (offset, byteLength) => new Channel(regionAt(offset, byteLength)).freeAll());

/** A new channel whose memory is reclaimed with the last queue object that holds it. */
export function createChannel(maxsize: number): Channel {
  return Channel.create(allocateShared(CONTROL_BYTES, { release: CHANNEL }), maxsize);
}
