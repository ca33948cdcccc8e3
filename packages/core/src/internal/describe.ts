import { inspect } from 'node:util';

/**
 * Renders a received value for an error message: `` `0` (number) ``.
 * Keeps messages in the form "expected X, got Y" short and unambiguous.
 */
export function describe(value: unknown): string {
  const type = value === null ? 'null' : typeof value;
  const shown = typeof value === 'function'
    ? (value.name ? `function ${value.name}` : 'anonymous function')
    : inspect(value, { depth: 1, breakLength: Infinity, maxStringLength: 60, maxArrayLength: 5 });
  return `\`${shown}\` (${type})`;
}
