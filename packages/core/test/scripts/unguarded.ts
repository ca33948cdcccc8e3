// Python's classic mistake: start() at the top level, without the main guard.
// The parent's start works; the child, importing this module to find `work`,
// must refuse to start a grandchild instead of recursing.
import { Process } from '@mp/core';

export function work(): void {
  console.log('work ran');
}

const p = new Process({ target: work });
p.start();
await p.join();
console.log(`exitcode=${p.exitCode}`);
