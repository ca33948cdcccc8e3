import { addonError } from './internal/addon.js';

/**
 * Tells whether cross-process shared memory works here: the platform is Linux and
 * the addon is built for the running Node.js. Never throws.
 *
 * Python: none (CPython always has `multiprocessing.shared_memory`).
 *
 * @returns `true` when {@link createSegment}, the futex functions and the tracker
 * can be used; `false` when they would throw {@link NativeUnsupportedError} or
 * {@link NativeNotBuiltError} (call {@link unsupportedReason} for why).
 *
 * @example
 * ```ts
 * import { isSupported, unsupportedReason } from '@mp/native';
 * if (!isSupported()) console.warn(unsupportedReason());
 * ```
 */
export function isSupported(): boolean {
  return addonError() === undefined;
}

/**
 * Why cross-process shared memory is unavailable here, in one sentence for a
 * person: the real cause and the fix in the user's project — not Linux (names the
 * platform); the addon not built, or built for another Node (names this Node's
 * version and ABI, `process.versions.modules`, and gives the commands that build
 * it: `pnpm approve-builds @mp/native && pnpm rebuild @mp/native`, since pnpm 10
 * and later skip dependencies' build scripts until approved, or
 * `npm rebuild @mp/native`); or the addon failing to load (with the loader's
 * message). Never throws.
 *
 * It is the message of the error that the other functions of this package throw
 * ({@link NativeUnsupportedError} or {@link NativeNotBuiltError}).
 *
 * Python: none (CPython always has `multiprocessing.shared_memory`).
 *
 * @returns `undefined` when shared segments are supported, else the sentence.
 *
 * @example
 * ```ts
 * import { unsupportedReason } from '@mp/native';
 * const reason = unsupportedReason();
 * if (reason !== undefined) console.warn(`Shared memory between processes is off: ${reason}`);
 * // e.g. "The @mp/native addon is not built for Node v20.20.2 (ABI 115): its install script did not run…
 * //       Build it in your project: with pnpm, `pnpm approve-builds @mp/native && pnpm rebuild @mp/native`…"
 * ```
 */
export function unsupportedReason(): string | undefined {
  return addonError()?.message;
}
