import { slot } from './runtime.js';

/** A day: the interval of the idle timer that holds the event loop open. */
const IDLE_INTERVAL_MS = 86_400_000;

interface KeepAlive {
  holders: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Keeps this isolate's event loop alive until the returned function is called.
 *
 * `Atomics.waitAsync` and an unref'd child's exit do not count as pending work
 * for Node: without a ref'd handle the program could exit while a promise still
 * waits on shared memory. One ref'd timer is shared by all holders.
 */
export function keepAlive(): () => void {
  const state = slot<KeepAlive>('keep-alive', () => ({ holders: 0, timer: undefined }));
  if (state.holders++ === 0) state.timer = setInterval(() => {}, IDLE_INTERVAL_MS);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--state.holders === 0) {
      clearInterval(state.timer);
      state.timer = undefined;
    }
  };
}
