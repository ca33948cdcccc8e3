import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { currentProcess } from '@mp/core';
import { checkOptions, describe } from '@mp/core/internal';
import { ClosedError } from './errors.js';
import { checkAddress, checkFamily, checkLimit, type Address, type Family } from './internal/socket-address.js';
import { answerChallenge, deliverChallenge, toAuthkey } from './internal/socket-auth.js';
import { FrameSocket } from './internal/socket-frames.js';
import { makeSocketConnection, type SocketConnection } from './socket-connection.js';

export type { Address, Family } from './internal/socket-address.js';

/** Options of {@link Listener}. */
export interface ListenerOptions {
  /** Used only without an address: `'AF_UNIX'` (a new socket file in the temp folder, the default) or `'AF_INET'` (`['127.0.0.1', 0]`). */
  family?: Family;
  /** The OS queue of connections not yet accepted. @defaultValue Node's default (511); Python's is 1 */
  backlog?: number;
  /**
   * The key both sides must have: `null` for no authentication.
   * @defaultValue `currentProcess().authkey` (Python's Listener authenticates only when given a key)
   */
  authkey?: Uint8Array | null;
  /** The longest message a connection accepts, in bytes. @defaultValue 128 MiB */
  maxMessageBytes?: number;
}

const LISTENER_OPTIONS: readonly string[] = ['family', 'backlog', 'authkey', 'maxMessageBytes'];

/**
 * A server socket that other programs connect to with {@link Client}: TCP
 * (`['127.0.0.1', port]`) or a Unix socket (a path). Each `accept()` gives a
 * {@link SocketConnection} once the peer has passed the authkey check (both
 * directions, CPython's protocol: a Python `Client` with the same key can
 * connect).
 *
 * Listening starts at once; `await listener.ready` before reading `address`
 * when you asked for port 0. The listener does not keep the program alive by
 * itself: only a pending `accept()` does.
 *
 * Python: `multiprocessing.connection.Listener(address=None, family=None, backlog=1, authkey=None)`.
 *
 * @example
 * ```ts
 * import { Client, Listener } from '@mp/ipc';
 *
 * const authkey = Buffer.from('secret password');
 * await using listener = await new Listener(['127.0.0.1', 0], { authkey }).ready;
 * const client = Client(listener.address, { authkey });
 * const conn = await listener.accept();
 * (await client).send('hello');
 * console.log(await conn.recv()); // 'hello'
 * conn.close();
 * (await client).close();
 * ```
 */
export class Listener implements AsyncDisposable, Disposable {
  readonly #server: Server;
  readonly #requested: Address;
  readonly #authkey: Uint8Array | null;
  readonly #limit: number;
  /** The folder made for a default Unix address (removed at close). */
  readonly #ownDir: string | undefined;
  /** Connections the OS accepted that `accept()` has not taken yet. */
  readonly #incoming: FrameSocket[] = [];
  readonly #takers: { resolve: (frames: FrameSocket) => void; reject: (error: Error) => void }[] = [];
  #bound: Address | undefined;
  #failure: Error | undefined;
  #closed = false;
  #lastAccepted: Address | null = null;

  /**
   * Resolves with the listener once it listens (then `address` is final);
   * rejects when it cannot (address in use, no permission…).
   */
  readonly ready: Promise<this>;

  /**
   * @param address - `[host, port]` (port 0: the system picks one) or a Unix socket path
   *   @defaultValue a new Unix socket path in the temp folder (`family: 'AF_INET'`: `['127.0.0.1', 0]`)
   * @param options - family, backlog, authkey, maxMessageBytes
   * @throws TypeError for a bad address, family or authkey, or an unknown option
   * @throws RangeError for a bad `backlog` or `maxMessageBytes`
   */
  constructor(address?: Address, options?: ListenerOptions) {
    const { family, backlog, authkey, maxMessageBytes } = checkOptions(options, LISTENER_OPTIONS, 'Listener');
    const given = address === undefined ? undefined : checkAddress(address);
    const chosen = checkFamily(family, given);
    if (backlog !== undefined && (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0)) {
      throw new RangeError(`Expected \`backlog\` to be a non-negative integer, got ${describe(backlog)}`);
    }
    this.#authkey = toAuthkey(authkey, () => currentProcess().authkey);
    this.#limit = checkLimit(maxMessageBytes);
    if (given === undefined && chosen !== 'AF_INET') {
      this.#ownDir = mkdtempSync(join(tmpdir(), 'mp-'));
      this.#requested = join(this.#ownDir, 'listener.sock');
    } else {
      this.#ownDir = undefined;
      this.#requested = given ?? ['127.0.0.1', 0];
    }
    // Paused: FrameSocket.adopt() moves the handle to a socket that reads without the stream machinery.
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#arrived(socket));
    this.#server.unref();
    this.ready = new Promise<this>((resolve, reject) => {
      this.#server.once('listening', () => {
        const bound = this.#server.address();
        this.#bound = typeof bound === 'string' || bound === null ? this.#requested : [bound.address, bound.port];
        resolve(this);
      });
      this.#server.once('error', (error) => {
        this.#failure = error;
        this.#failTakers(error);
        reject(error);
      });
    });
    // `ready` may never be awaited (accept() reports the error too): no unhandled rejection.
    this.ready.catch(() => {});
    const requested = this.#requested;
    if (typeof requested === 'string') this.#server.listen({ path: requested, backlog });
    else this.#server.listen({ host: requested[0], port: requested[1], backlog });
  }

  /**
   * The address it listens on: `[host, port]` with the port the system chose,
   * or the socket path. Pass it to {@link Client}.
   *
   * Python: `address`.
   *
   * @throws Error before `ready` resolved when the port was 0 (it is not chosen yet)
   */
  get address(): Address {
    if (this.#bound) return this.#bound;
    if (typeof this.#requested === 'string' || this.#requested[1] !== 0) return this.#requested;
    throw new Error('The port is chosen when listening starts: `await listener.ready` before reading `address`.');
  }

  /** The address of the last accepted peer (`[host, port]`, or `''` for a Unix socket); `null` before the first. Python: `last_accepted`. */
  get lastAccepted(): Address | null {
    return this.#lastAccepted;
  }

  /** True after {@link Listener.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits for the next client and authenticates it (when there is an authkey).
   * A client that fails the check is disconnected and this call rejects, as
   * Python's `accept()` raises; call `accept()` again for the next one.
   *
   * Python: `accept()`.
   *
   * @returns a connection to the client
   * @throws {@link AuthenticationError} (rejection) when the client's authkey differs or it does not follow the protocol
   * @throws {@link ClosedError} (rejection) after `close()`, also while waiting
   * @throws the listening error (rejection), e.g. `EADDRINUSE`
   * @example
   * ```ts
   * const conn = await listener.accept();
   * console.log('connection accepted from', listener.lastAccepted);
   * ```
   */
  async accept<T = unknown>(): Promise<SocketConnection<T>> {
    this.#check();
    if (this.#failure) throw this.#failure;
    const frames = this.#incoming.shift() ?? (await this.#nextIncoming());
    try {
      if (this.#authkey) {
        await deliverChallenge(frames, this.#authkey);
        await answerChallenge(frames, this.#authkey);
      }
    } catch (error) {
      frames.socket.end(() => frames.destroy());
      throw error;
    }
    const socket = frames.socket;
    this.#lastAccepted = socket.remotePort === undefined ? '' : [socket.remoteAddress ?? '', socket.remotePort];
    return makeSocketConnection<T>(frames, this.#limit);
  }

  /**
   * Stops listening; connections already accepted stay open. A pending
   * `accept()` rejects with {@link ClosedError}. The socket file of a Unix
   * address is removed. Calling it again does nothing.
   *
   * Python: `close()`.
   *
   * @example
   * ```ts
   * listener.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const frames of this.#incoming.splice(0)) frames.destroy();
    this.#failTakers(new ClosedError('the listener was closed while accept() waited.'));
    if (typeof this.#requested === 'string' && this.#bound !== undefined) {
      try {
        unlinkSync(this.#requested);
      } catch {
        // Node may have removed it already.
      }
    }
    if (this.#ownDir) rmSync(this.#ownDir, { recursive: true, force: true });
  }

  /** `using listener = …` closes it at the end of the scope (Python: `with Listener(…) as listener:`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using listener = …` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #check(): void {
    if (this.#closed) throw new ClosedError('the listener is closed: accept() cannot be used after close().');
  }

  #arrived(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const frames = FrameSocket.adopt(socket);
    frames.socket.setNoDelay(true);
    const taker = this.#takers.shift();
    if (taker) {
      this.#updateRef();
      taker.resolve(frames);
    } else {
      this.#incoming.push(frames);
    }
  }

  #nextIncoming(): Promise<FrameSocket> {
    return new Promise<FrameSocket>((resolve, reject) => {
      this.#takers.push({ resolve, reject });
      this.#updateRef();
    });
  }

  #failTakers(error: Error): void {
    for (const taker of this.#takers.splice(0)) taker.reject(error);
    this.#updateRef();
  }

  /** A pending `accept()` keeps the program alive; an idle listener does not. */
  #updateRef(): void {
    if (this.#takers.length > 0 && !this.#closed) this.#server.ref();
    else this.#server.unref();
  }

  /** Python's repr. */
  toString(): string {
    const address = this.#bound ?? this.#requested;
    return `<Listener ${typeof address === 'string' ? address : `${address[0]}:${address[1]}`}${this.#closed ? ' closed' : ''}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
