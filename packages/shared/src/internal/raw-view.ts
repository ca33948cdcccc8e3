import { allocateShared, defineShared, share, type SharedRegion, type SharedState } from '@mp/core';
import { TYPECODES, type ShortTypecode, type TypecodeInfo } from '../typecode.js';
import { arrayClass, type AnyTypedArray } from './elements.js';

/**
 * Typed arrays over the shared-memory arena that travel by identity and keep
 * their memory alive.
 *
 * Core's encoder already sends any typed array over the arena as a view of
 * the same kind over the same bytes (and refuses `'process'` children). But it
 * knows nothing of the block the view lies in: if the sender's only handle on
 * the block is the typed array — which is all a {@link RawArray} user has —
 * the block would be freed when the sender drops it, under the feet of a child
 * still using it. So every typed array this package hands out ({@link RawArray},
 * {@link SharedArray.raw}) gets an own, non-enumerable `[share]` method (core
 * checks it before its generic view handling): it travels as its
 * {@link SharedRegion}, whose own `[share]` refuses destinations that cannot
 * see the memory and counts the copy in flight, so that the block lives as
 * long as any isolate holds the array — as for every other shared object.
 *
 * Until it is shared, the method's closure is what keeps the region object,
 * and so the memory, alive: exactly as long as the typed array.
 */

const TYPE = '@mp/shared.RawArray';

interface RawViewState {
  readonly typecode: ShortTypecode;
  readonly region: SharedRegion;
  readonly length: number;
}

defineShared<RawViewState>(TYPE, (state) => viewOver(state.typecode, state.region, state.length));

/** Allocates zero-filled shared memory for `length` elements (at least one byte, so an empty array has a home too). */
export function allocateElements(info: TypecodeInfo, length: number): SharedRegion {
  return allocateShared(Math.max(1, length * info.bytes));
}

/** A typed array over `region`, shareable by identity. */
export function viewOver(typecode: ShortTypecode, region: SharedRegion, length: number): AnyTypedArray {
  const info = TYPECODES[typecode];
  const view = new (arrayClass(info))(region.buffer, region.byteOffset, length);
  Object.defineProperty(view, share, {
    value: (): SharedState => ({
      type: TYPE,
      module: import.meta.url,
      // The region's own [share] runs next (core encodes nested shareables):
      // it refuses destinations that cannot see the memory and counts the copy in flight.
      state: { typecode, region, length } satisfies RawViewState,
    }),
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return view;
}
