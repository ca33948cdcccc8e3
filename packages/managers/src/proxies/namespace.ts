import { BaseProxy, defineProxyKind } from '../base-proxy.js';

/**
 * A proxy of a Namespace held by a manager: named values, read with
 * `await ns.get('x')` and written with `await ns.set('x', 1)` (a property read
 * cannot wait in JavaScript, so there are no `ns.x` accessors). Reading a name
 * never set is a {@link RemoteError} named `AttributeError`.
 *
 * Python: `NamespaceProxy` (`ns.x` → `get('x')`, `ns.x = 1` → `set('x', 1)`,
 * `del ns.x` → `delete('x')`, `hasattr(ns, 'x')` → `has('x')`).
 *
 * @typeParam T - the names and their values
 * @example
 * {@includeCode ../../../../apps/examples/src/manager.ts#namespace}
 */
export class NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends BaseProxy {
  static {
    defineProxyKind('namespace', NamespaceProxy);
  }

  /** The value of `name`. Python: `ns.name`. @param name - the name @returns its value @throws {@link RemoteError} `AttributeError` (rejection) when it was never set */
  get<K extends keyof T & string>(name: K): Promise<T[K]> {
    return this.callMethod('get', [name]) as Promise<T[K]>;
  }

  /** Sets `name`. Python: `ns.name = value`. @param name - the name @param value - its value @returns when done */
  async set<K extends keyof T & string>(name: K, value: T[K]): Promise<void> {
    await this.callMethod('set', [name, value]);
  }

  /** Removes `name`. Python: `del ns.name`. @param name - the name @returns when done */
  async delete(name: keyof T & string): Promise<void> {
    await this.callMethod('delete', [name]);
  }

  /** Whether `name` is set. Python: `hasattr(ns, name)`. @param name - the name @returns true when set */
  has(name: string): Promise<boolean> {
    return this.callMethod('has', [name]) as Promise<boolean>;
  }

  /** A copy of every name and value. Python: `vars(ns)`. @returns an object */
  toObject(): Promise<Partial<T>> {
    return this.callMethod('toObject') as Promise<Partial<T>>;
  }
}
