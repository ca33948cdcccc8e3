// A child whose target throws: Python prints "Process Process-1:" and the traceback.
import { Process, isMain } from '@mp/core';

export function failing(): void {
  throw new Error('boom from the child');
}

if (isMain(import.meta)) {
  const p = new Process({ target: failing });
  p.start();
  await p.join();
  console.log(`exitcode=${p.exitCode}`);
}
