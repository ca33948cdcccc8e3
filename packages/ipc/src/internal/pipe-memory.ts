import { allocateShared, freeShared, regionAt, type SharedRegion } from '@mp/core';
import { defineRelease } from '@mp/core/internal';
import { CONTROL_BYTES, Channel } from './channel.js';
import { HOLDER_WORDS, Holders } from './holders.js';

/**
 * The shared memory of one pipe: channel 0 carries messages to end 0,
 * channel 1 to end 1 (absent for a one-way pipe, whose end 0 only reads and
 * end 1 only writes), then the holder tables of end 0 and end 1.
 */
export const PIPE_BYTES = 2 * CONTROL_BYTES + 2 * HOLDER_WORDS * 4;

/**
 * What a pipe's memory frees with it, once no thread or process holds the
 * pipe any more: the segments of its channels (a one-way pipe made one).
 */
const PIPE = defineRelease('@mp/ipc.pipe', (offset) => {
  for (let i = 0; i < 2; i++) {
    const channel = new Channel(regionAt(offset + i * CONTROL_BYTES, CONTROL_BYTES));
    if (channel.created) channel.freeAll();
  }
});

/** This isolate's view of a pipe's memory, and when this isolate stops holding it. */
export class PipeMemory {
  readonly region: SharedRegion;
  readonly duplex: boolean;
  /** `channels[i]` carries messages to end `i`. */
  readonly channels: readonly [Channel, Channel | undefined];
  /** `holders[i]` counts the open copies of end `i`. */
  readonly holders: readonly [Holders, Holders];
  /** Open connection objects of this isolate over this memory. */
  liveCopies = 0;
  /** Async operations in flight on this memory: it is not freed under their feet. */
  activeOps = 0;
  #freed = false;

  private constructor(region: SharedRegion, duplex: boolean, fresh: boolean) {
    this.region = region;
    this.duplex = duplex;
    const control = (i: number) => regionAt(region.byteOffset + i * CONTROL_BYTES, CONTROL_BYTES);
    const channel = (i: number) => (fresh ? Channel.create(control(i), 0) : new Channel(control(i)));
    this.channels = [channel(0), duplex ? channel(1) : undefined];
    const table = (i: number) => region.int32((2 * CONTROL_BYTES) / 4 + i * HOLDER_WORDS, HOLDER_WORDS);
    this.holders = [new Holders(table(0)), new Holders(table(1))];
  }

  /** New memory for a pipe. */
  static create(duplex: boolean): PipeMemory {
    return new PipeMemory(allocateShared(PIPE_BYTES, { release: PIPE }), duplex, true);
  }

  /** The memory of a pipe made elsewhere. */
  static adopt(region: SharedRegion, duplex: boolean): PipeMemory {
    return new PipeMemory(region, duplex, false);
  }

  /**
   * Drops this isolate's hold on the memory once nothing here uses it: the
   * memory comes back when no other isolate (nor a copy in flight) holds it.
   */
  maybeFree(): void {
    if (this.#freed || this.liveCopies > 0 || this.activeOps > 0) return;
    this.#freed = true;
    freeShared(this.region);
  }
}
