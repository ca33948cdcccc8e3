import { addonError } from './internal/addon.js';

/**
 * Tells whether cross-process shared memory works here: the platform is Linux and
 * the addon is built for the running Node.js. Never throws.
 *
 * Python: none (CPython always has `multiprocessing.shared_memory`).
 *
 * @returns `true` when {@link createSegment}, the futex functions and the tracker
 * can be used; `false` when they would throw {@link NativeUnsupportedError} or
 * {@link NativeNotBuiltError} (call {@link unsupportedReason} for the message).
 *
 * @example
 * ```ts
 * import { isSupported, unsupportedReason } from '@mp/native';
 * if (!isSupported()) console.warn(unsupportedReason()?.message);
 * ```
 */
export function isSupported(): boolean {
  return addonError() === undefined;
}

/**
 * Why cross-process shared memory is unavailable: the error the other functions of
 * this package would throw, or `undefined` when it is available. Never throws.
 *
 * Python: none.
 *
 * @returns A {@link NativeUnsupportedError} (not Linux), a
 * {@link NativeNotBuiltError} (addon missing or for another Node), or `undefined`.
 *
 * @example
 * ```ts
 * const reason = unsupportedReason();
 * if (reason) throw reason;
 * ```
 */
export function unsupportedReason(): Error | undefined {
  return addonError();
}
