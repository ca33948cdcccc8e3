import { describe } from '@mp/core/internal';
import { DEFAULT_MAX_MESSAGE_BYTES } from './socket-frames.js';

/**
 * Where a {@link Listener} listens and a {@link Client} connects: `[host, port]`
 * for TCP (Python's `('127.0.0.1', 6000)`; port 0 lets the system pick one), or
 * the path of a Unix domain socket.
 */
export type Address = readonly [host: string, port: number] | string;

/** Python's address families: `'AF_INET'` (TCP) or `'AF_UNIX'` (a socket file). */
export type Family = 'AF_INET' | 'AF_UNIX';

/** The family an address implies (Python's `address_type`). */
export function familyOf(address: Address): Family {
  return typeof address === 'string' ? 'AF_UNIX' : 'AF_INET';
}

/** Checks an address given by the user. */
export function checkAddress(address: unknown, name = 'address'): Address {
  if (typeof address === 'string') {
    if (address.length === 0) throw new TypeError(`Expected \`${name}\` to be a socket path or [host, port], got an empty string`);
    if (address.startsWith('\\\\')) {
      throw new TypeError(`\`${name}\` ${JSON.stringify(address)} is a Windows named pipe (AF_PIPE), which @mp does not support: use [host, port] or a Unix socket path.`);
    }
    return address;
  }
  if (
    Array.isArray(address) &&
    address.length === 2 &&
    typeof address[0] === 'string' &&
    typeof address[1] === 'number' &&
    Number.isInteger(address[1]) &&
    address[1] >= 0 &&
    address[1] <= 65_535
  ) {
    return [address[0], address[1]] as const;
  }
  throw new TypeError(
    `Expected \`${name}\` to be [host, port] (a port from 0 to 65535) or a Unix socket path, got ${describe(address)}`,
  );
}

/** Checks a `family` option against the address. */
export function checkFamily(family: unknown, address: Address | undefined): Family | undefined {
  if (family === undefined) return undefined;
  if (family !== 'AF_INET' && family !== 'AF_UNIX') {
    throw new TypeError(`Expected \`family\` to be 'AF_INET' or 'AF_UNIX', got ${describe(family)}`);
  }
  if (address !== undefined && familyOf(address) !== family) {
    throw new TypeError(`\`family\` is ${family} but the address ${describe(address)} is of family ${familyOf(address)}`);
  }
  return family;
}

/** Checks `maxMessageBytes`. */
export function checkLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 256) {
    throw new RangeError(`Expected \`maxMessageBytes\` to be an integer of at least 256, got ${describe(value)}`);
  }
  return value;
}
