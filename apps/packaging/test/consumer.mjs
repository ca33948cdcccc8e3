// A program in a fresh project that installed the @mp tarballs with npm:
// a Process, a Queue round trip through a child, a Pool map.
import { Process, isMain } from '@mp/core';
import { Queue } from '@mp/ipc';
import { Pool } from '@mp/pool';

export function echo(inbox, outbox) {
  outbox.putSync(`echo ${inbox.getSync(10_000)}`);
}

export function square(n) {
  return n * n;
}

if (isMain(import.meta)) {
  const inbox = new Queue();
  const outbox = new Queue();
  const p = new Process({ target: echo, args: [inbox, outbox] });
  p.start();
  await inbox.put('hello');
  console.log(await outbox.get(10_000));
  await p.join();
  console.log(`exitcode=${p.exitCode}`);
  const pool = new Pool({ processes: 2 });
  console.log(JSON.stringify(await pool.map(square, [1, 2, 3])));
  pool.close();
  await pool.join();
}
