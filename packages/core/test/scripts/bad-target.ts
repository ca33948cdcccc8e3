// Starts one child with a bad target (named by argv[2]) and prints its exit code.
import { Process, isMain, ref } from '@mp/core';

function unexported(): void {}
export const notAFunction = 42;

const makeAnonymous = () => () => {};

if (isMain(import.meta)) {
  const kind = process.argv[2];
  const targets: Record<string, () => Process> = {
    anonymous: () => new Process({ target: makeAnonymous() }),
    unexported: () => new Process({ target: unexported }),
    'missing-module': () => new Process({ target: ref('./no-such-module.ts', 'work') }),
    'missing-export': () => new Process({ target: ref(import.meta.url, 'noSuchExport') }),
    'not-function': () => new Process({ target: ref(import.meta.url, 'notAFunction') }),
  };
  const p = targets[kind!]!();
  p.start();
  await p.join();
  console.log(`exitcode=${p.exitCode}`);
}
