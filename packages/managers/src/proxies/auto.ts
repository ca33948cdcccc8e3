import { BaseProxy, defineProxyKind } from '../base-proxy.js';
import type { Token } from '../internal/wire.js';

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

class AutoProxyBase extends BaseProxy {
  static {
    defineProxyKind('auto', AutoProxyBase);
  }

  constructor(token: Token, authkey: Uint8Array | null) {
    super(token, authkey);
    const exposed = new Set(token.exposed);
    const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    // A JS Proxy gives each exposed name a method; everything else is the BaseProxy's own (bound, for its private fields).
    return new Proxy(this, {
      get: (target, property) => {
        if (typeof property === 'string' && property !== 'then' && exposed.has(property) && !(property in target)) {
          let method = methods.get(property);
          if (!method) methods.set(property, (method = (...args: unknown[]) => target.callMethod(property, args)));
          return method;
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
