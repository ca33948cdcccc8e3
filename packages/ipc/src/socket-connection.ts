import { inspect } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { DataCloneError, isShareable, share, type SharedState } from '@mp/core';
import { describe } from '@mp/core/internal';
import { BadMessageLengthError, BrokenPipeError, ClosedError } from './errors.js';
import { BadMessageError } from './socket-errors.js';
import { byteRange, toInteger } from './internal/byte-range.js';
import { toDeadline } from './internal/deadline.js';
import type { FrameSocket } from './internal/socket-frames.js';
import { decodePlain, encodePlainFrame, NOT_PLAIN } from './internal/plain-data.js';

/** Set by {@link makeSocketConnection} just before `new`. */
let adopting: { frames: FrameSocket; limit: number } | undefined;

/** @internal Wraps an authenticated socket as a connection. */
export function makeSocketConnection<T>(frames: FrameSocket, limit: number): SocketConnection<T> {
  adopting = { frames, limit };
  try {
    return new SocketConnection<T>();
  } finally {
    adopting = undefined;
  }
}

/** @internal For `wait()`: the socket of a connection, or undefined for other objects. */
export function framesOf(value: unknown): { frames: FrameSocket; limit: number; closed: boolean } | undefined {
  return value instanceof SocketConnection ? value[FRAMES]() : undefined;
}

const FRAMES = Symbol('frames');

/**
 * Finds a shared `@mp` object inside `value`: such objects live in this
 * machine's shared memory, and another program at the end of a socket could
 * not use them. Walks what `v8.serialize` walks (arrays, plain and other
 * objects' own enumerable properties, Map and Set entries).
 */
function findShared(value: unknown, root: string): { path: string; item: object } | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    if (isShareable(item)) return { path, item };
    if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) continue;
    if (item instanceof Map) {
      let i = 0;
      for (const [key, entry] of item) {
        stack.push([key, `${path}.keys()[${i}]`], [entry, `${path}.get(…)[${i}]`]);
        i++;
      }
    } else if (item instanceof Set) {
      let i = 0;
      for (const entry of item) stack.push([entry, `${path}.values()[${i++}]`]);
    } else if (Array.isArray(item)) {
      item.forEach((entry, i) => stack.push([entry, `${path}[${i}]`]));
    } else {
      for (const key of Object.keys(item)) stack.push([(item as Record<string, unknown>)[key], `${path}.${key}`]);
    }
  }
  return undefined;
}

/**
 * One end of a connection over a socket, made by {@link Listener.accept} or
 * {@link Client}: whole messages in both directions, to a program that may
 * run anywhere (another Node program, or a Python program using
 * `multiprocessing.connection` with `sendBytes`/`recvBytes`).
 *
 * It has the API of a pipe's {@link Connection} without the `…Sync` forms of
 * waiting calls: a socket is read by the event loop, which a blocking call
 * would stop. What it receives is data only: `recv()` decodes with
 * `v8.deserialize` (no shared objects, no classes, no code); shared `@mp`
 * objects cannot be sent.
 *
 * Python: `multiprocessing.connection.Connection` (socket-backed).
 *
 * @typeParam T - the messages
 * @example
 * ```ts
 * import { Client } from '@mp/ipc';
 * const conn = await Client(['127.0.0.1', 6000], { authkey: Buffer.from('secret password') });
 * conn.send({ hello: 'world' });
 * console.log(await conn.recv());
 * conn.close();
 * ```
 */
export class SocketConnection<T = unknown> implements Disposable {
  readonly #frames: FrameSocket;
  readonly #limit: number;
  #closed = false;

  /**
   * Socket connections are made by `Listener.accept()` and `Client()`.
   *
   * @throws TypeError when called directly
   */
  constructor() {
    if (!adopting) throw new TypeError('Socket connections are made by Listener.accept() and Client(): call one of them.');
    this.#frames = adopting.frames;
    this.#limit = adopting.limit;
    adopting = undefined;
  }

  /** @internal */
  [FRAMES](): { frames: FrameSocket; limit: number; closed: boolean } {
    return { frames: this.#frames, limit: this.#limit, closed: this.#closed };
  }

  /** True after {@link SocketConnection.close}. Python: `closed`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Always true: a socket connection goes both ways. Python: `readable`. */
  get readable(): boolean {
    return true;
  }

  /** Always true: a socket connection goes both ways. Python: `writable`. */
  get writable(): boolean {
    return true;
  }

  /** The peer's address: `[host, port]` for TCP, the socket path for a Unix socket (may be `''`). */
  get remoteAddress(): readonly [string, number] | string {
    const socket = this.#frames.socket;
    return socket.remotePort === undefined ? '' : [socket.remoteAddress ?? '', socket.remotePort];
  }

  /**
   * Sends an object as one message, its `v8.serialize` form. Returns at once;
   * the bytes leave in order, and the program stays alive until Node has
   * handed them to the kernel.
   *
   * Python: `send(obj)`.
   *
   * @param obj - structured-cloneable data; shared `@mp` objects (queues, locks, pipes…) cannot cross a socket
   * @throws DataCloneError naming the part of `obj` that is a shared `@mp` object, or that `v8.serialize` refuses (functions, symbols…)
   * @throws {@link ClosedError} after `close()`
   * @throws {@link BrokenPipeError} once the peer has closed the connection
   * @example
   * ```ts
   * conn.send({ id: 1, values: [1, 2, 3] });
   * ```
   */
  send(obj: T): void {
    this.#checkWritable('send');
    // Plain data (the common small message) skips v8.serialize: the same format, written directly.
    // Shared @mp objects are never plain: they take the path below, which names them.
    const plain = encodePlainFrame(obj);
    if (plain !== undefined) {
      this.#frames.writeFrame(plain);
      return;
    }
    const shared = findShared(obj, 'obj');
    if (shared !== undefined) {
      throw new DataCloneError(
        `${shared.path} is a shared @mp object (${describe(shared.item)}): it cannot cross a socket, whose other end may be another program or machine. ` +
          'Send plain data instead, or pass shared objects to children as Process arguments.',
      );
    }
    let bytes: Buffer;
    try {
      bytes = serialize(obj);
    } catch (error) {
      throw new DataCloneError(`obj cannot be sent: ${(error as Error).message}`, { cause: error });
    }
    this.#frames.write(bytes, true);
  }

  /**
   * Sends bytes as one message: `size` bytes of `buf` from `offset` (both in
   * bytes of the view). A Python peer receives them with `recv_bytes()`.
   *
   * Python: `send_bytes(buf, offset=0, size=None)`.
   *
   * @param buf - any `ArrayBufferView`
   * @param offset - first byte to send @defaultValue 0
   * @param size - bytes to send @defaultValue the rest of the view
   * @throws TypeError, RangeError for a bad `buf`, `offset` or `size`
   * @throws {@link ClosedError}, {@link BrokenPipeError} as {@link SocketConnection.send}
   * @example
   * ```ts
   * conn.sendBytes(new TextEncoder().encode('abcdef'), 2, 3); // sends "cde"
   * ```
   */
  sendBytes(buf: ArrayBufferView, offset?: number, size?: number): void {
    const bytes = byteRange(buf, offset, size);
    this.#checkWritable('sendBytes');
    this.#frames.write(bytes);
  }

  /**
   * Receives the next message and decodes it as plain data.
   *
   * Python: `recv()`.
   *
   * @returns the object sent
   * @throws {@link EOFError} (rejection) when the peer closed the connection and nothing is left, or closed it mid-message
   * @throws {@link BadMessageError} (rejection) when the message is not a `v8.serialize` form (it is consumed)
   * @throws {@link MessageTooLongError} (rejection) for a message over `maxMessageBytes` (the connection is closed)
   * @throws {@link ClosedError} (rejection) after `close()`, also while waiting
   * @example
   * ```ts
   * const message = await conn.recv();
   * ```
   */
  recv(): Promise<T> {
    // No async function and no promise per wait: the socket's event calls #receive again.
    return new Promise<T>((resolve, reject) => this.#receive(resolve, reject));
  }

  /** Settles a `recv()` with the next message, or waits for the next socket event and tries again. */
  #receive(resolve: (value: T) => void, reject: (error: unknown) => void): void {
    let frame: Buffer | undefined;
    try {
      this.#check('recv');
      frame = this.#frames.tryNext(this.#limit);
    } catch (error) {
      reject(error);
      return;
    }
    if (frame === undefined) {
      this.#frames.onChange(() => this.#receive(resolve, reject));
      return;
    }
    try {
      const plain = decodePlain(frame);
      resolve((plain !== NOT_PLAIN ? plain : deserialize(frame)) as T);
    } catch (error) {
      reject(
        new BadMessageError(
          `the message (${frame.byteLength} bytes) is not a v8.serialize form: ${(error as Error).message}. Receive raw bytes with recvBytes().`,
          { cause: error },
        ),
      );
    }
  }

  /**
   * Receives the next message as bytes.
   *
   * Python: `recv_bytes(maxlength=None)`.
   *
   * @param maxLength - the longest message accepted, in bytes
   * @returns the bytes sent (a message sent with `send` comes as its `v8.serialize` form)
   * @throws {@link BadMessageLengthError} (rejection) when the message is longer than `maxLength`; it stays unread
   * @throws RangeError, TypeError (rejection) for a bad `maxLength`
   * @throws {@link EOFError}, {@link MessageTooLongError}, {@link ClosedError} (rejections) as {@link SocketConnection.recv}
   * @example
   * ```ts
   * const bytes = await conn.recvBytes(1024);
   * ```
   */
  async recvBytes(maxLength?: number): Promise<Uint8Array> {
    if (maxLength !== undefined) {
      const limit = toInteger(maxLength, 'maxLength');
      if (limit < 0) throw new RangeError(`negative maxlength: expected \`maxLength\` to be at least 0, got ${describe(maxLength)}`);
      await this.#wait('recvBytes', Infinity);
      const length = this.#frames.peekLength(this.#limit);
      if (length !== undefined && length > limit) {
        throw new BadMessageLengthError(
          `bad message length: the next message is ${length} bytes, longer than \`maxLength\` (${limit} bytes). It stays unread: receive it with a larger maxLength, or with recv().`,
        );
      }
    }
    return new Uint8Array(await this.#next('recvBytes'));
  }

  /**
   * Whether a message can be received without waiting — or the connection
   * has ended, so that `recv` would not wait either. Waits up to `timeout` ms.
   *
   * Python: `poll(timeout=0)`.
   *
   * @param timeout - milliseconds; `0` = look and return; `null` or `Infinity` = no limit
   * @returns true when `recv` would not wait
   * @throws {@link ClosedError} (rejection) after `close()`
   * @example
   * ```ts
   * if (await conn.poll(100)) console.log(await conn.recv());
   * ```
   */
  async poll(timeout: number | null = 0): Promise<boolean> {
    return this.#wait('poll', toDeadline(timeout ?? undefined));
  }

  /**
   * Closes the connection: the peer sees EOF once the bytes already sent are
   * through. Pending receives reject with {@link ClosedError}. Calling it again
   * does nothing.
   *
   * Python: `close()`.
   *
   * @example
   * ```ts
   * conn.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#frames.socket;
    // end() sends what is buffered, then FIN; the socket is destroyed once that is through.
    socket.end(() => socket.destroy());
    this.#frames.wakeAll();
  }

  /** `using conn = …` closes it at the end of the scope (Python: `with conn:`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal A socket connection cannot travel to a child: this makes `Process` and queues say so. */
  [share](): SharedState {
    throw new TypeError(
      'A SocketConnection cannot be sent to another process or thread: its socket belongs to this one. Pass the address and authkey instead, and connect with Client() there.',
    );
  }

  #check(what: string): void {
    if (this.#closed) throw new ClosedError(`handle is closed: ${what}() cannot be used after close() on this connection.`);
  }

  #checkWritable(what: string): void {
    this.#check(what);
    const socket = this.#frames.socket;
    if (!socket.writable || socket.destroyed || this.#frames.error) {
      throw new BrokenPipeError(`Broken pipe: the peer closed the connection, so nobody can receive this message.`);
    }
  }

  /** True when `recv` would not wait; waits for that until `deadline`. */
  async #wait(what: string, deadline: number): Promise<boolean> {
    for (;;) {
      this.#check(what);
      if (this.#frames.readable(this.#limit)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#frames.changed(left);
    }
  }

  async #next(what: string): Promise<Buffer> {
    for (;;) {
      this.#check(what);
      const frame = this.#frames.tryNext(this.#limit);
      if (frame) return frame;
      await this.#frames.changed();
    }
  }

  /** Python's repr: `<SocketConnection readable writable>`. */
  toString(): string {
    return this.#closed ? '<SocketConnection closed>' : '<SocketConnection readable writable>';
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
