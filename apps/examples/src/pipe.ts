// Tutorial section 6: Pipe. Two processes talk through the two ends of one pipe.
import { Process, isMain } from '@mp/core';
import { Pipe, type Connection } from '@mp/ipc';

// #region target
export async function p1(pipe: Connection<string>): Promise<void> {
  pipe.send('pipe1');
  console.log('pipe1 received: %s', await pipe.recv());
  pipe.send('who are you');
  console.log('pipe1 received: %s', await pipe.recv());
}

export async function p2(pipe: Connection<string>): Promise<void> {
  pipe.send('pipe2');
  console.log('pipe2 received: %s', await pipe.recv());
  pipe.send('this is a bad problem');
  console.log('pipe2 received: %s', await pipe.recv());
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const pipe = Pipe<string>();
  // The first end goes to the first process
  const process1 = new Process({ target: p1, args: [pipe[0]] });
  // the second end to the second process
  const process2 = new Process({ target: p2, args: [pipe[1]] });
  process1.start();
  process2.start();
  await process1.join();
  await process2.join();
  // #endregion main
}
