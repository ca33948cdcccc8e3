import { afterEach, describe, expect, it } from 'vitest';
import { setSpares } from '@mp/core';
import { whenSparesReady } from '@mp/core/internal';
import { RawArray, SharedArray } from '@mp/shared';
import { runChild } from './run-child.ts';

afterEach(() => setSpares(undefined));

describe.each(['thread', 'process'] as const)('warm spares (%s)', (method) => {
  it('once a child was sent a SharedArray, the next children find @mp/shared loaded before their target module', async () => {
    setSpares(2);
    const array = new SharedArray('d', 4);
    const report = RawArray('i', 1);
    // The spares that wait now may have started before any SharedArray was sent: replace them.
    expect(await runChild('defined-at-import', 'reportDefined', [array, report], method)).toBe(0);
    setSpares(0);
    setSpares(2);
    await whenSparesReady();
    report[0] = -1;
    expect(await runChild('defined-at-import', 'reportDefined', [array, report], method)).toBe(0);
    expect(report[0]).toBe(1);
  });
});
