import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('shared-memory example (%s)', (method) => {
  it("prints the Python documentation's results, and sees the child's and the pool task's writes", async () => {
    const { code, stdout, stderr } = await runExample('shared-memory', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      '[ 22, 33, 44, 55, 100 ]',
      'howdy',
      'HOWDY',
      'String Uint8Array Number BigInt null Boolean BigInt',
      '-78.5',
      'dry ice',
      'SlotOverflowError',
      'dry ice 7 6 1',
      '10',
      '10',
    ]);
  });
});
