// Tutorial section 3: Queue. One process puts ten strings, another takes and prints them.
import { Process, isMain } from '@mp/core';
import { Queue } from '@mp/ipc';

// #region target
export async function setData(queue: Queue<string>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await queue.put('hello' + String(i));
  }
}

export async function getData(queue: Queue<string>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log(await queue.get());
  }
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const q = new Queue<string>();
  const p1 = new Process({ target: setData, args: [q] });
  const p2 = new Process({ target: getData, args: [q] });
  p1.start();
  p2.start();
  await p1.join();
  await p2.join();
  // Python prints the boolean as True/False.
  console.log('空...空了吗?', q.empty() ? 'True' : 'False');
  // #endregion main
}
