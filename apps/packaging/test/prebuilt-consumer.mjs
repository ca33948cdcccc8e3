// A program in a fresh project that installed the @mp tarballs without running
// any script: a Lock, a Queue round trip and a Value passed to a 'process' child
// (run with MP_START_METHOD=process), which all need @mp/native's shared memory.
// It prints which mp_native.node each process mapped, read from /proc/self/maps.
import { readFileSync } from 'node:fs';
import { Process, isMain } from '@mp/core';
import { Queue } from '@mp/ipc';
import { Value } from '@mp/shared';
import { Lock } from '@mp/sync';

/** The mp_native.node this process has mapped, or 'none'. */
function addonFile() {
  const line = readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.endsWith('/mp_native.node'));
  return line === undefined ? 'none' : line.slice(line.indexOf('/'));
}

export function child(lock, value, inbox, outbox) {
  lock.acquireSync(); // blocks until the parent releases it
  try {
    value.value += 1;
  } finally {
    lock.release();
  }
  outbox.putSync(`echo ${inbox.getSync(10_000)}`);
  outbox.putSync(`child addon ${addonFile()}`);
}

if (isMain(import.meta)) {
  const lock = new Lock();
  const value = new Value('i', 41);
  const inbox = new Queue();
  const outbox = new Queue();
  lock.acquireSync();
  const p = new Process({ target: child, args: [lock, value, inbox, outbox] });
  p.start();
  await inbox.put('hello');
  lock.release();
  console.log(await outbox.get(30_000));
  const childAddon = await outbox.get(30_000);
  await p.join(30_000);
  console.log(`exitcode=${p.exitCode} value=${value.value}`);
  console.log(`parent addon ${addonFile()}`);
  console.log(childAddon);
}
