import { currentProcess } from '@mp/core';
import { checkOptions } from '@mp/core/internal';
import { checkAddress, checkFamily, checkLimit, type Address, type Family } from './internal/socket-address.js';
import { answerChallenge, deliverChallenge, toAuthkey } from './internal/socket-auth.js';
import { FrameSocket } from './internal/socket-frames.js';
import { makeSocketConnection, type SocketConnection } from './socket-connection.js';

/** Options of {@link Client}. */
export interface ClientOptions {
  /** Checked against the address (Python's `family`). */
  family?: Family;
  /**
   * The key both sides must have: `null` for no authentication.
   * @defaultValue `currentProcess().authkey` (Python's Client authenticates only when given a key)
   */
  authkey?: Uint8Array | null;
  /** The longest message the connection accepts, in bytes. @defaultValue 128 MiB */
  maxMessageBytes?: number;
}

const CLIENT_OPTIONS: readonly string[] = ['family', 'authkey', 'maxMessageBytes'];

/**
 * Connects to a {@link Listener} (of this program, another Node program, or a
 * Python `multiprocessing.connection.Listener` with the same key) and
 * authenticates both ways.
 *
 * Python: `multiprocessing.connection.Client(address, family=None, authkey=None)`.
 *
 * @typeParam T - the messages
 * @param address - `[host, port]` or a Unix socket path: the listener's `address`
 * @param options - family, authkey, maxMessageBytes
 * @returns a connection to the listener
 * @throws TypeError (rejection) for a bad address, family or authkey, or an unknown option
 * @throws {@link AuthenticationError} (rejection) when the listener has another authkey (or none)
 * @throws the socket error (rejection), e.g. `ECONNREFUSED` when nobody listens there
 * @example
 * ```ts
 * import { Client } from '@mp/ipc';
 *
 * const conn = await Client<string>(['127.0.0.1', 6000], { authkey: Buffer.from('secret password') });
 * conn.send('hello');
 * conn.close();
 * ```
 */
export async function Client<T = unknown>(address: Address, options?: ClientOptions): Promise<SocketConnection<T>> {
  const { family, authkey: given, maxMessageBytes } = checkOptions(options, CLIENT_OPTIONS, 'Client');
  const target = checkAddress(address);
  checkFamily(family, target);
  const authkey = toAuthkey(given, () => currentProcess().authkey);
  const limit = checkLimit(maxMessageBytes);
  const frames = FrameSocket.connect(typeof target === 'string' ? { path: target } : { host: target[0], port: target[1] });
  const socket = frames.socket;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => reject(error);
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.off('error', failed);
      resolve();
    });
  });
  socket.setNoDelay(true);
  try {
    if (authkey) {
      await answerChallenge(frames, authkey);
      await deliverChallenge(frames, authkey);
    }
  } catch (error) {
    socket.end(() => frames.destroy());
    throw error;
  }
  return makeSocketConnection<T>(frames, limit);
}
