// With MP_SHARED_MEMORY=local the arena is a plain SharedArrayBuffer: thread
// children share it, a process child cannot, and says so.
import { Process, allocateShared, isMain } from '@mp/core';

export function increment(words: Int32Array): void {
  Atomics.add(words, 0, 1);
}

if (isMain(import.meta)) {
  const method = process.argv[2] === 'thread' ? 'thread' : 'process';
  const words = allocateShared(4).int32();
  try {
    const children = Array.from({ length: 4 }, () => new Process({ target: increment, args: [words], context: method }));
    for (const child of children) child.start();
    for (const child of children) await child.join();
    console.log(`total ${Atomics.load(words, 0)}`);
  } catch (error) {
    console.log(`${(error as Error).name}: ${(error as Error).message}`);
  }
}
