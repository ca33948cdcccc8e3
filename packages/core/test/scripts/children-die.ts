// A main program with a daemon and a non-daemon child that never end, for the
// exit-path tests: the test ends the main program (a signal, SIGKILL, an
// uncaught error) and checks that no child is left.
import { writeSync } from 'node:fs';
import { Process, isMain } from '@mp/core';

/** Busy in synchronous code for ever: only a signal can end it. */
export function spin(): never {
  writeSync(1, `running ${process.pid}\n`);
  for (;;);
}

/** Idle for ever, its event loop free. */
export function idle(): Promise<never> {
  writeSync(1, `running ${process.pid}\n`);
  return new Promise(() => setInterval(() => {}, 1_000));
}

if (isMain(import.meta)) {
  const mode = process.argv[2] ?? 'busy';
  if (mode === 'own-handler') {
    process.on('SIGTERM', () => {
      writeSync(1, 'user handler\n');
      process.exit(7);
    });
  }
  if (mode === 'uncaught') {
    process.on('SIGUSR2', () => {
      throw new Error('boom in the main program');
    });
  }
  const target = mode === 'idle' ? idle : spin;
  for (const daemon of [true, false]) new Process({ target, daemon }).start();
  writeSync(1, `main ${process.pid}\n`);
}
