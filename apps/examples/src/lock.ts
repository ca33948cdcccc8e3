// Tutorial section 4: Lock. Ten children each take the lock, print, and release it.
import { Process, isMain } from '@mp/core';
import { Lock } from '@mp/sync';

// #region target
export function testLock(lock: Lock, n: number): void {
  lock.acquireSync(); // take the lock
  console.log('this is ', n);
  lock.release(); // release it at the end
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const lock = new Lock();
  for (let i = 0; i < 10; i++) {
    new Process({ target: testLock, args: [lock, i] }).start();
  }
  // #endregion main
}
