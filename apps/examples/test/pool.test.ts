import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('pool example (%s)', (method) => {
  it('prints 100, then the squares as Python prints a list', async () => {
    const { code, stdout, stderr } = await runExample('pool', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual(['100', '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]']);
  });
});
