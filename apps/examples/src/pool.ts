// Tutorial section 2: Pool. Four workers; one asynchronous task, then a map.
import { isMain } from '@mp/core';
import { Pool } from '@mp/pool';

// #region task
export function square(n: number): number {
  return n ** 2;
}
// #endregion task

/** Python's `print(list)` for a list of numbers: `[0, 1, 4]`. */
function pyList(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

if (isMain(import.meta)) {
  // #region main
  const pool = new Pool({ processes: 4 });
  // Asynchronous, non-blocking: applyAsync returns at once, get() waits (timeout in ms;
  // Python's tutorial waits 1 s, but the first task also waits for a worker to start)
  const result = pool.applyAsync(square, [10]);
  console.log(await result.get(10_000));
  console.log(pyList(await pool.map(square, Array.from({ length: 10 }, (_, i) => i))));
  // No more tasks; wait for the workers to finish and exit
  pool.close();
  await pool.join();
  // #endregion main
}
