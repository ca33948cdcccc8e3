import { describe } from '@mp/core/internal';

/** The longest delay `setTimeout` takes; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks a timeout in milliseconds: `undefined` (or `Infinity`) waits without
 * limit, negative counts as 0.
 *
 * @throws TypeError for anything but a number or undefined, and for NaN
 */
export function toTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`Expected \`timeout\` to be a number of milliseconds or undefined, got ${describe(timeout)}`);
  }
  return Math.max(0, timeout);
}

/**
 * Calls `onTimeout` once `ms` milliseconds have passed, measured with the
 * monotonic clock: a timer that fires early (timers round to whole ms) is
 * re-armed, so a timed wait never gives up before its timeout elapsed.
 *
 * @returns a function that cancels the timer
 */
export function after(ms: number, onTimeout: () => void): () => void {
  const deadline = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const left = deadline - performance.now();
      if (left > 0) arm(left);
      else onTimeout();
    }, Math.min(MAX_TIMER_MS, Math.ceil(delay)));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
