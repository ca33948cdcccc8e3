import { describe, expectTypeOf, it } from 'vitest';
import { ShareableList, SharedMemory, type ShareableItem } from '@mp/shared';

describe('ShareableList types', () => {
  it('holds ShareableItem unless told, and checks the items against a given type', () => {
    expectTypeOf(new ShareableList(['a', 1])).toEqualTypeOf<ShareableList<ShareableItem>>();
    expectTypeOf(new ShareableList(null, { name: 'x' }).get(0)).toEqualTypeOf<ShareableItem>();
    expectTypeOf(new ShareableList<number>([1, 2]).get(0)).toEqualTypeOf<number>();
    // @ts-expect-error a string is not a number
    new ShareableList<number>(['a']);
    // @ts-expect-error undefined is not an item (null is)
    new ShareableList([undefined]);
    expectTypeOf(new ShareableList([1]).shm).toEqualTypeOf<SharedMemory>();
  });

  it('SharedMemory.buf is a Uint8Array over a SharedArrayBuffer', () => {
    expectTypeOf(new SharedMemory({ create: true, size: 1 }).buf).toEqualTypeOf<Uint8Array<SharedArrayBuffer>>();
  });
});
