// multiprocessing.shared_memory: a block of memory known by name, which any process
// attaches to, and a fixed-length list stored in one. The Python documentation's two
// examples, plus a child process and a pool task that reach the same memory.
import { Process, isMain } from '@mp/core';
import { Pool } from '@mp/pool';
import { ShareableList, SharedMemory } from '@mp/shared';

// #region child
/** A child attaches by name, as any program can (Python: `SharedMemory(name)`). */
export function shout(name: string): void {
  const shm = new SharedMemory({ name });
  shm.buf.set(new TextEncoder().encode('HOWDY'));
  shm.close();
}
// #endregion child

// #region task
/** A pool task gets the list itself: it travels by name, as CPython pickles it. */
export function total(numbers: ShareableList<number>): number {
  let sum = 0;
  for (const n of numbers) sum += n;
  numbers[0] = sum; // written into the same shared memory
  return sum;
}
// #endregion task

if (isMain(import.meta)) {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  // #region memory
  const shmA = new SharedMemory({ create: true, size: 10 });
  const buffer = shmA.buf; // a Uint8Array over the block
  buffer.set([22, 33, 44, 55]); // Python: buffer[:4] = bytearray([22, 33, 44, 55])
  buffer[4] = 100;
  const shmB = new SharedMemory({ name: shmA.name }); // attach to the same block
  console.log(Array.from(new Int8Array(shmB.buf.buffer, 0, 5))); // Python: array.array('b', shm_b.buf[:5])
  shmB.buf.set(new TextEncoder().encode('howdy'));
  console.log(text(shmA.buf.subarray(0, 5)));

  const child = new Process({ target: shout, args: [shmA.name] });
  child.start();
  await child.join();
  console.log(text(shmA.buf.subarray(0, 5)));

  shmB.close();
  shmA.close();
  shmA.unlink(); // once, from one handle: the block is freed when the last handle goes
  // #endregion memory

  // #region list
  const a = new ShareableList(['howdy', new TextEncoder().encode('HoWdY'), -273.154, 100n, null, true, 42n]);
  console.log(Array.from(a, (entry) => (entry === null ? 'null' : entry.constructor.name)).join(' '));
  a[2] = -78.5;
  console.log(a[2]);
  a[2] = 'dry ice'; // changing an item's type is allowed
  console.log(a[2]);
  try {
    a[2] = 'larger than previously allocated storage space';
  } catch (error) {
    console.log((error as Error).name); // Python: ValueError
  }
  console.log(a[2], a.length, a.index(42n), a.count('howdy'));
  a.shm.close();
  a.shm.unlink();
  // #endregion list

  // #region pool
  const numbers = new ShareableList<number>([1, 2, 3, 4]);
  const pool = new Pool({ processes: 2 });
  console.log(await pool.apply(total, [numbers]));
  console.log(numbers[0]); // the worker's write
  pool.close();
  await pool.join();
  numbers.shm.close();
  numbers.shm.unlink();
  // #endregion pool
}
