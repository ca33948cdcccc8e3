import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('manager example (%s)', (method) => {
  it("prints the Python documentation's dict and list, an exact count under the manager's lock, and each proxy's results", async () => {
    const { code, stdout, stderr } = await runExample('manager', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      "Map(3) { 1 => '1', '2' => 2, 0.25 => null }",
      '[9,8,7,6,5,4,3,2,1,0]',
      'total 30',
      '3 false 2',
      'c 3',
      '10',
      '1.5 [ 7, 2, 3 ]',
      'hello',
      'event true',
      'tally 5',
    ]);
  });
});
