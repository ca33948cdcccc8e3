import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('queue example (%s)', (method) => {
  it('prints hello0 … hello9 in order, then the emptiness check as Python prints it', async () => {
    const { code, stdout, stderr } = await runExample('queue', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const expected = Array.from({ length: 10 }, (_, i) => `hello${i}`);
    expected.push('空...空了吗? True');
    expect(lines(stdout)).toEqual(expected);
  });
});
