import type { BaseProxy } from '../base-proxy.js';

/** The methods of `T` as async calls (what an {@link AutoProxy} offers). */
export type Proxied<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * The proxy of a registered type: each exposed method of the referent is a
 * method here that calls it in the manager (`then` never is, so that a proxy
 * can be awaited as a value).
 *
 * Python: `AutoProxy`.
 *
 * @typeParam T - the referent's type
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#register}
 */
export type AutoProxy<T = unknown> = BaseProxy & Proxied<T>;
