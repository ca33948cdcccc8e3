import type { TaskRef } from '@mp/core';
import { BUILTIN_TYPES, type TypeSpec } from './builtins.js';

/** A registered typeid as it travels to the manager process: plain data, its callable by reference. */
export interface TypeConfig {
  readonly typeid: string;
  /** SyncManager's own types: the manager knows them, nothing is loaded. */
  readonly builtin: boolean;
  readonly ref: TaskRef | undefined;
  readonly exposed: readonly string[] | undefined;
  readonly methodToTypeid: readonly (readonly [string, string])[];
  readonly create: boolean;
}

/** What the manager process is started with. */
export interface ServerConfig {
  readonly types: readonly TypeConfig[];
  readonly address: import('@mp/ipc').Address | undefined;
  readonly authkey: Uint8Array | null;
}

/** Whether a function is a class (called with `new`). */
function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Calls a registered callable as CPython does (`callable(*args)`); a class is constructed. */
export function construct(fn: Function, args: unknown[]): unknown {
  return isClass(fn) ? Reflect.construct(fn, args) : Reflect.apply(fn, undefined, args);
}

/**
 * The server's specs of registered types, given how to find each callable
 * (here, or loaded by its reference in the manager process).
 */
export function toSpecs(
  types: readonly TypeConfig[],
  callableOf: (config: TypeConfig) => Function | undefined,
  load?: (ref: TaskRef, typeid: string) => Promise<Function>,
): TypeSpec[] {
  return types.map((config) => {
    if (config.builtin) {
      const spec = BUILTIN_TYPES.find((builtin) => builtin.typeid === config.typeid);
      if (!spec) throw new TypeError(`'${config.typeid}' is not one of SyncManager's types.`);
      return spec;
    }
    const fn = callableOf(config);
    const ref = config.ref;
    // A callable given by reference only is loaded at its first use (getServer() in the program that registered it).
    let loaded: Promise<Function> | undefined;
    const lazy = !fn && ref && load ? async (args: unknown[]) => construct(await (loaded ??= load(ref, config.typeid)), args) : undefined;
    return {
      typeid: config.typeid,
      kind: 'auto',
      exposed: config.exposed,
      methodToTypeid: new Map(config.methodToTypeid),
      create: !config.create ? undefined : fn ? (args: unknown[]) => construct(fn, args) : lazy,
    } satisfies TypeSpec;
  });
}
