import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('event example (%s)', (method) => {
  it("prints the tutorial's lines; each child's in its order", async () => {
    const { code, stdout, stderr } = await runExample('event', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = lines(stdout);
    // The parent's first line comes before any child starts.
    expect(out[0]).toBe('False');
    expect([...out].sort()).toEqual(
      ['False', 'set event', 'wait~~~', 'timeout!!!', 'event.is_set False', 'event.is_set True'].sort(),
    );
    // Each child prints in its own order: wait_timeout gives up after 2 s and
    // sees the flag clear; wait wakes when wait_timeout sets it and sees it set.
    expect(out.indexOf('timeout!!!')).toBeLessThan(out.indexOf('event.is_set False'));
    expect(out.indexOf('wait~~~')).toBeLessThan(out.indexOf('event.is_set True'));
    // Not asserted: 'event.is_set False' before 'event.is_set True'. True in real
    // time, but two children's output reaches the parent's stdout through two
    // channels, which the parent may read in either order (see
    // packages/sync/README.md, "Limitations").
  });
});
