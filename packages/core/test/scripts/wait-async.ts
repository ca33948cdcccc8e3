// The main program's only pending work is an async wait on shared memory,
// woken by a daemon (unref'd) child: the wait itself must keep the program alive.
import { Process, allocateShared, isMain, notify, waitAsync } from '@mp/core';

export async function wakeLater(flag: Int32Array): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  Atomics.store(flag, 0, 1);
  notify(flag, 0);
}

if (isMain(import.meta)) {
  const flag = allocateShared(4).int32();
  new Process({ target: wakeLater, args: [flag], daemon: true }).start();
  const result = await waitAsync(flag, 0, 0);
  console.log(`woke ${result} ${Atomics.load(flag, 0)}`);
}
