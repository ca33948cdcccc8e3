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
 * platform); no binary for this platform and Node (names them, e.g.
 * `linux-arm64-abi141`, lists the prebuilt binaries the package ships, and gives
 * the one command that builds a binary from source:
 * `node /…/node_modules/@mp/native/scripts/build.mjs`, with this copy's absolute
 * path); a binary built for another Node; or the binary failing to load (with the
 * loader's message: a corrupt file, or a libc the prebuilt binaries do not load
 * on). Never throws.
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
 * // e.g. "The @mp/native addon has no binary for linux-arm64 with Node v26.0.0 (ABI 141) (linux-arm64-abi141;
 * //       prebuilt binaries here: linux-arm64-abi115, …). To build it, run `node /…/@mp/native/scripts/build.mjs`…"
 * ```
 */
export function unsupportedReason(): string | undefined {
  return addonError()?.message;
}
