import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe('value-array example', () => {
  it("prints Python's lines exactly (thread)", async () => {
    const { code, stdout, stderr } = await runExample('value-array', 'thread');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      '0.0',
      '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]',
      '200.0',
      '[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]',
    ]);
  });

  it("fails at start() with the StartMethodError naming 'process' (process)", async () => {
    const { code, stdout, stderr } = await runExample('value-array', 'process');
    expect(code).not.toBe(0);
    // What ran before start() printed as usual; nothing after it.
    expect(lines(stdout)).toEqual(['0.0', '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]']);
    expect(stderr).toContain('StartMethodError');
    expect(stderr).toMatch(/cannot be passed to a child started with the 'process' start method/);
  });
});
