// Every ```ts / ```js / ```mjs block of every README and guide runs as written: copied into a
// file of its own, run with Node, it exits 0 within the hang guard — under both start methods
// when it starts children. A block that is deliberately not a program (a signature list, a
// fragment that needs context) says so just above its fence: `<!-- not-runnable: reason -->`.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allCodeBlocks, blockPath, codeBlocks, runBlock, shownPath, startsChildren, where, type CodeBlock } from './readme-blocks.ts';

/** Generous: a block that starts ten children under tsx takes 20 s on a busy 2-core machine. */
const HANG_GUARD_MS = 60_000;
/** The test's own timeout also counts the time spent waiting for a free slot. */
const TEST_TIMEOUT_MS = 15 * 60_000;
/** Blocks run two at a time: the machines are small, and each block may start several children. */
const PARALLEL_RUNS = 2;
/** Not-runnable blocks must stay the exception. */
const MAX_NOT_RUNNABLE = 8;

let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(run: () => Promise<T>): Promise<T> {
  while (running >= PARALLEL_RUNS) await new Promise<void>((wake) => waiting.push(wake));
  running++;
  try {
    return await run();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const blocks = allCodeBlocks();
const runnable = blocks.filter((block) => block.notRunnable === undefined);
const runs = runnable.flatMap((block) =>
  (startsChildren(block) ? (['thread', 'process'] as const) : (['thread'] as const)).map(
    (method) => [`${where(block)} (${method})`, block, method] as [string, CodeBlock, 'thread' | 'process'],
  ),
);

afterAll(() => {
  for (const dir of new Set(blocks.map((block) => dirname(blockPath(block))))) rmSync(dir, { recursive: true, force: true });
});

describe('code blocks of the READMEs and guides', () => {
  it('finds the blocks, and a not-runnable block says why', () => {
    expect(runnable.length).toBeGreaterThan(5);
    const unexplained = blocks.filter((block) => block.notRunnable === '').map(where);
    expect(unexplained, 'write the reason: <!-- not-runnable: reason -->').toEqual([]);
    const notRunnable = blocks.filter((block) => block.notRunnable !== undefined);
    expect(notRunnable.length, notRunnable.map((block) => `${where(block)}: ${block.notRunnable}`).join('\n')).toBeLessThanOrEqual(
      MAX_NOT_RUNNABLE,
    );
  });

  it.concurrent.each(runs)('%s runs as written', async (_name, block, method) => {
    const run = await limited(() => runBlock(block, method, HANG_GUARD_MS));
    const output = `\n--- ${shownPath(block)} (MP_START_METHOD=${method})\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
    expect(run.timedOut, `${where(block)} did not finish in ${HANG_GUARD_MS} ms under '${method}'${output}`).toBe(false);
    expect(run.code, `${where(block)} failed under '${method}'${output}`).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe('the block finder', () => {
  it('reads fences, languages, positions and not-runnable markers', () => {
    const markdown = [
      '# t',
      '```ts',
      'console.log(1);',
      '```',
      '<!-- not-runnable: a signature -->',
      '',
      '```js',
      'f(x)',
      '```',
      '```sh',
      'pnpm test',
      '```',
      '<!-- not-runnable: -->',
      '````mjs',
      '```',
      '````',
    ].join('\n');
    expect(codeBlocks(markdown, 'x.md')).toEqual([
      { file: 'x.md', line: 2, lang: 'ts', code: 'console.log(1);\n' },
      { file: 'x.md', line: 7, lang: 'js', code: 'f(x)\n', notRunnable: 'a signature' },
      { file: 'x.md', line: 14, lang: 'mjs', code: '```\n', notRunnable: '' },
    ]);
  });
});
