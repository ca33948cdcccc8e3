// Tutorial section 7: Value and Array. A child changes a shared number and a
// shared array in place; the parent sees the changes after join().
import { Process, isMain } from '@mp/core';
import { SharedArray, Value } from '@mp/shared';

// #region target
export function func(n: Value<'d'>, a: SharedArray<'i'>): void {
  n.value = 200;
  for (let i = 0; i < a.length; i++) a.set(i, -a.get(i));
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  // Python prints a float with a decimal point, and a list as [0, 1, 2]
  const float = (x: number) => x.toFixed(1);
  const list = (xs: number[]) => `[${xs.join(', ')}]`;

  const num = new Value('d', 0.0);
  console.log(float(num.value));
  const arr = new SharedArray('i', Array.from({ length: 10 }, (_, i) => i));
  console.log(list(arr.slice())); // arr.slice() is Python's arr[:]
  const p = new Process({ target: func, args: [num, arr] });
  p.start();
  await p.join();
  console.log(float(num.value));
  console.log(list(arr.slice()));
  // #endregion main
}
