// The main program ends without join(): it waits for the non-daemon child,
// and the daemon child (which would run forever) is terminated.
import { Process, isMain } from '@mp/core';

export function forever(): Promise<never> {
  return new Promise(() => setInterval(() => {}, 1_000));
}

export async function slow(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log('child done');
}

if (isMain(import.meta)) {
  const daemon = new Process({ target: forever, daemon: true });
  daemon.start();
  new Process({ target: slow }).start();
  console.log(`daemon pid=${daemon.pid}`);
  console.log('main done');
}
