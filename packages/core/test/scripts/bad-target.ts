// Starts one child with a bad target (named by argv[2]) and prints its exit code,
// or the error start() threw in the parent.
import { cpus } from 'node:os';
import * as path from 'node:path';
import { Process, isMain, ref } from '@mp/core';

function unexported(): void {}
export const notAFunction = 42;
export function exported(label: string): void {
  void label;
}

const makeAnonymous = () => () => {};

if (isMain(import.meta)) {
  const kind = process.argv[2];
  const targets: Record<string, () => Process> = {
    anonymous: () => new Process({ target: makeAnonymous() }),
    inline: () => new Process({ target: () => 1 }),
    unexported: () => new Process({ target: unexported }),
    builtin: () => new Process({ target: Math.max }),
    imported: () => new Process({ target: cpus }),
    namespace: () => new Process({ target: path.basename, args: ['/x'] }),
    bound: () => new Process({ target: exported.bind(null, 'x') }),
    'missing-module': () => new Process({ target: ref('./no-such-module.ts', 'work') }),
    'missing-export': () => new Process({ target: ref(import.meta.url, 'noSuchExport') }),
    'not-function': () => new Process({ target: ref(import.meta.url, 'notAFunction') }),
  };
  const p = targets[kind!]!();
  try {
    p.start();
  } catch (error) {
    console.log(`start() threw ${(error as Error).name}: ${(error as Error).message}`);
    process.exit(0);
  }
  await p.join();
  console.log(`exitcode=${p.exitCode}`);
}
