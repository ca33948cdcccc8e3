import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

const EXPECTED = Array.from({ length: 10 }, (_, n) => `this is  ${n}`);

describe.each(['thread', 'process'] as const)('semaphore example (%s)', (method) => {
  it('prints one whole line per child, in whichever order they got a permit', async () => {
    const { code, stdout, stderr } = await runExample('semaphore', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Python's order depends on which child gets a permit first; the lines are always whole.
    expect(lines(stdout).sort()).toEqual(EXPECTED);
  });
});
