import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('process example (%s)', (method) => {
  it('prints the tutorial lines in order, then the process list', async () => {
    const { code, stdout, stderr } = await runExample('process', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = lines(stdout);
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) expected.push(`Process-${i + 1} starting`, `is ${i}`);
    expected.push(String(availableParallelism()), 'End');
    expect(out.slice(0, 22)).toEqual(expected);
    const reprs = out.slice(22).join('\n').match(/<Process [^>]*>/g) ?? [];
    expect(reprs).toHaveLength(10);
    reprs.forEach((repr, i) => {
      expect(repr).toMatch(new RegExp(`^<Process name='Process-${i + 1}' pid=\\d+ parent=\\d+ stopped exitcode=0>$`));
    });
  });
});
