import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('value-array example (%s)', (method) => {
  it("prints Python's lines exactly", async () => {
    const { code, stdout, stderr } = await runExample('value-array', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      '0.0',
      '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]',
      '200.0',
      '[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]',
    ]);
  });
});
