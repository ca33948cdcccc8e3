import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Process, ref } from '@mp/core';
import { SharedArray } from '@mp/shared';

const FIXTURE = new URL('./fixtures/index-assign.mjs', import.meta.url);
const SHARED = import.meta.resolve('@mp/shared');

describe('arr[i] in plain JavaScript', () => {
  it('reads and writes the shared memory, with the errors of get()/set()', () => {
    const out = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(FIXTURE), SHARED], { encoding: 'utf8', timeout: 30_000 }),
    ) as Record<string, unknown>;
    expect(out['slice']).toEqual([5, 2, 9]);
    expect(out['first']).toBe(5);
    expect(out['last']).toBe(9);
    // Nothing landed on the object itself: the writes went to the shared memory.
    expect(out['ownKeys']).toEqual(['typecode', 'length']);
    expect(out['outOfRange']).toMatch(/^IndexError: Index 3 is out of range for a SharedArray\('i'\) of length 3/);
    expect(out['fraction']).toMatch(/^TypeError: Expected the index into a SharedArray\('i'\) to be an integer, got `1.5`/);
    expect(out['wrongKind']).toMatch(/^TypeError: Expected element \[0\] of typecode 'i'/);
    // Other properties are ordinary ones.
    expect(out['label']).toBe('mine');
    expect(out['then']).toBeUndefined();
  });

  it('works in this file too (the index signature types it)', () => {
    const arr = new SharedArray('d', 3);
    arr[1] = 0.5;
    expect(arr.get(1)).toBe(0.5);
    expect(arr[1]).toBe(0.5);
    expect(Object.hasOwn(arr, 1)).toBe(false);
  });
});

describe.each(['thread', 'process'] as const)('arr[i] = x in a child (%s)', (method) => {
  it("is seen by the parent after join()", async () => {
    const arr = new SharedArray('i', [1, 2, 3]);
    const child = new Process({ target: ref(FIXTURE, 'assignByIndex'), args: [arr], context: method });
    child.start();
    await child.join(30_000);
    expect(child.exitCode).toBe(0);
    expect(arr.slice()).toEqual([5, 2, 102]);
  });
});
