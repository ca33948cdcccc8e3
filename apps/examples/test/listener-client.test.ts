import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('listener-client example (%s)', (method) => {
  it("prints the Python documentation's results, refuses a wrong key on both sides, and reads every client to EOF", async () => {
    const { code, stdout, stderr } = await runExample('listener-client', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      'connection accepted from 127.0.0.1',
      "[ 2.25, null, 'junk' ]",
      'hello',
      '8 Int32Array(5) [ 42, 1729, 0, 0, 0 ]',
      'AuthenticationError AuthenticationError',
      'Process-2 0, Process-2 1, Process-2 2, Process-3 0, Process-3 1, Process-3 2, Process-4 0, Process-4 1, Process-4 2',
      'exit codes 0 0 0',
    ]);
  });
});
