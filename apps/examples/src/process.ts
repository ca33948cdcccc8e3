// Tutorial section 1: Process. Ten children, each started and joined in turn.
import { Process, cpuCount, currentProcess, isMain } from '@mp/core';

// #region target
export function test(n: number): void {
  const name = currentProcess().name;
  console.log(name, 'starting');
  console.log('is', n);
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const numList: Process[] = [];
  for (let i = 0; i < 10; i++) {
    const p = new Process({ target: test, args: [i] });
    numList.push(p);
    p.start();
    // join() waits for the child to end, as Python's p.join() blocks
    await p.join();
  }
  console.log(cpuCount());
  console.log('End');
  console.log(numList);
  // #endregion main
}
