import { inspect } from 'node:util';

/**
 * Renders a received value for an error message: `` `0` (number) ``. The same
 * format as `describe()` in `@mp/core/internal` (this package has no dependency on
 * core, so it keeps its own copy).
 */
export function describe(value: unknown): string {
  const type = value === null ? 'null' : typeof value;
  const shown =
    typeof value === 'function'
      ? value.name
        ? `function ${value.name}`
        : 'anonymous function'
      : inspect(value, { depth: 1, breakLength: Infinity, maxStringLength: 60, maxArrayLength: 5 });
  return `\`${shown}\` (${type})`;
}
