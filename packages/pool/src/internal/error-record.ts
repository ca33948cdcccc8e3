/**
 * Errors as data. Prototypes do not survive `postMessage` or IPC, and the
 * structured clone keeps only the built-in error names, so a task's error
 * travels as a record and is rebuilt on the host with its name, message, code,
 * other own data and the worker's stack.
 */

export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties that can be cloned (`code`, `errno`, custom fields). */
  readonly props: Record<string, unknown> | undefined;
  readonly cause: ErrorRecord | undefined;
  /** Set when something other than an Error was thrown: the thrown value itself. */
  readonly thrown?: { readonly value: unknown };
}

const BUILTINS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function cloneable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Turns anything thrown into a record that any transport can carry. */
export function toRecord(error: unknown, depth = 0): ErrorRecord {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null && 'message' in error && 'name' in error)) {
    if (cloneable(error)) return { name: 'Error', message: String(error), stack: undefined, props: undefined, cause: undefined, thrown: { value: error } };
    return { name: 'Error', message: `A task threw a value that cannot be sent back: ${safeString(error)}`, stack: undefined, props: undefined, cause: undefined };
  }
  const source = error as Error & Record<string, unknown>;
  let props: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    const value = source[key];
    if (!cloneable(value)) continue;
    (props ??= {})[key] = value;
  }
  const cause = source.cause;
  return {
    name: String(source.name),
    message: String(source.message),
    stack: typeof source.stack === 'string' ? source.stack : undefined,
    props,
    cause: cause !== undefined && depth < 8 ? toRecord(cause, depth + 1) : undefined,
  };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Rebuilds an error from its record: the same name (a built-in class when the
 * name is one), message and own data, with the worker's stack as `stack` — so
 * that a printed error shows where the task failed.
 */
export function fromRecord(record: ErrorRecord): unknown {
  if (record.thrown) return record.thrown.value;
  const Class = Object.hasOwn(BUILTINS, record.name) ? BUILTINS[record.name]! : Error;
  const error = new Class(record.message) as Error & Record<string, unknown>;
  if (error.name !== record.name) {
    Object.defineProperty(error, 'name', { value: record.name, writable: true, configurable: true, enumerable: false });
  }
  if (record.props) Object.assign(error, record.props);
  if (record.cause) Object.defineProperty(error, 'cause', { value: fromRecord(record.cause), writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, 'stack', {
    value: record.stack ?? `${record.name}: ${record.message}`,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return error;
}
