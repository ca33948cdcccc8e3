import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

describe.each(['thread', 'process'] as const)('pipe example (%s)', (method) => {
  it('prints the two conversations, each process’s lines in its order', async () => {
    const { code, stdout, stderr } = await runExample('pipe', method);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = lines(stdout);
    // Python's order between the two processes is not deterministic; within each it is.
    expect([...out].sort()).toEqual([
      'pipe1 received: pipe2',
      'pipe1 received: this is a bad problem',
      'pipe2 received: pipe1',
      'pipe2 received: who are you',
    ]);
    expect(out.filter((line) => line.startsWith('pipe1'))).toEqual(['pipe1 received: pipe2', 'pipe1 received: this is a bad problem']);
    expect(out.filter((line) => line.startsWith('pipe2'))).toEqual(['pipe2 received: pipe1', 'pipe2 received: who are you']);
  });
});
