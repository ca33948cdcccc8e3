// Tutorial section 4, with a Semaphore(3) in place of the Lock: up to three
// children hold it at once.
import { Process, isMain } from '@mp/core';
import { Semaphore } from '@mp/sync';

// #region target
export function testLock(s: Semaphore, n: number): void {
  s.acquireSync(); // take one of the three permits
  console.log('this is ', n);
  s.release(); // give it back
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const s = new Semaphore(3);
  for (let i = 0; i < 10; i++) {
    new Process({ target: testLock, args: [s, i] }).start();
  }
  // #endregion main
}
