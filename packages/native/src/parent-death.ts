import { constants } from 'node:os';
import { addon, addonError } from './internal/addon.js';
import { describe } from './internal/describe.js';

/** The highest signal number Linux accepts (`SIGRTMAX`, `_NSIG`). */
const MAX_SIGNAL = 64;

function signalNumber(signal: unknown): number {
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal < 0 || signal > MAX_SIGNAL) {
      throw new RangeError(
        `Expected \`signal\` of setParentDeathSignal() to be a signal name such as 'SIGKILL', or an integer from 0 ` +
          `(clear it) to ${MAX_SIGNAL}, got ${describe(signal)}`,
      );
    }
    return signal;
  }
  if (typeof signal === 'string') {
    const number = (constants.signals as Partial<Record<string, number>>)[signal];
    if (number !== undefined && Object.hasOwn(constants.signals, signal)) return number;
  }
  // As `process.kill()` with an unknown name: a TypeError.
  throw new TypeError(
    `Expected \`signal\` of setParentDeathSignal() to be a signal name of os.constants.signals such as 'SIGKILL', ` +
      `or a signal number, got ${describe(signal)}`,
  );
}

/**
 * Asks the kernel to send this process `signal` when its parent dies, however
 * the parent dies (`SIGKILL` and crashes included): Linux's
 * `prctl(PR_SET_PDEATHSIG, signal)`.
 *
 * Unlike watching an IPC channel close, this needs nothing of the child's event
 * loop: with `'SIGKILL'`, a child busy in synchronous JavaScript dies with its
 * parent too. `@mp/core` calls it with `'SIGKILL'` in every `'process'` child.
 *
 * Mind the race: a parent that died *before* the call sends nothing. Compare
 * `process.ppid` with the parent's pid after the call (the child is re-parented
 * when its parent dies) and end at once when they differ.
 *
 * "Parent" is the *thread* that created this process: for a child forked by the
 * main thread of a Node.js program (what `child_process` does there), the
 * program's life. A child forked from a worker thread receives the signal when
 * that worker ends. The setting is the calling thread's: call it from the main
 * thread (a worker thread that sets it and then ends takes the setting with it).
 * It is not inherited by this process's own children, and is cleared when the
 * process `exec`s a set-user-ID or set-group-ID program.
 *
 * Python: none in the standard library (the `python-prctl` package has
 * `prctl.set_pdeathsig(signal.SIGKILL)`).
 *
 * @param signal - A signal name (`'SIGKILL'`, `'SIGTERM'`, any key of
 * `os.constants.signals`) or number; `0` clears the setting.
 * @returns `true` when the setting is in place; `false` where it cannot be: not
 * Linux, or the addon is not built for this Node (see {@link unsupportedReason}),
 * or was built by a version of this package that lacked the function. Never
 * throws for those reasons, so that a caller can use it as a best effort.
 * @throws TypeError when `signal` is neither a known signal name nor a number.
 * @throws RangeError when `signal` is a number other than an integer from 0 to 64.
 *
 * @example
 * ```ts
 * // child.js, started by `fork('child.js', [String(process.pid)])`:
 * import { setParentDeathSignal } from '@mp/native';
 * setParentDeathSignal('SIGKILL'); // false off Linux: then nothing is set
 * if (process.ppid !== Number(process.argv[2])) process.exit(129); // the parent died before the call
 * ```
 */
export function setParentDeathSignal(signal: NodeJS.Signals | number): boolean {
  const number = signalNumber(signal);
  if (addonError() !== undefined) return false;
  const native = addon();
  if (typeof native.setParentDeathSignal !== 'function') return false;
  native.setParentDeathSignal(number);
  return true;
}
