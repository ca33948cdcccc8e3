import { inspect } from 'node:util';
import { defineShared, share, type ShareContext, type Shareable, type SharedRegion, type SharedState } from '@mp/core';
import { checkShareable, describe } from '@mp/core/internal';
import { BadMessageLengthError, BrokenPipeError, ClosedError, DirectionError, EOFError } from './errors.js';
import { REJECTED, streamedLength, type Channel, type TakeOptions } from './internal/channel.js';
import { byteRange, toInteger } from './internal/byte-range.js';
import { toDeadline } from './internal/deadline.js';
import type { HolderToken, Holders } from './internal/holders.js';
import {
  KIND_BYTES,
  KIND_V8,
  decodeIncoming,
  decodeRawBytes,
  encodeBytes,
  encodeValue,
  incomingBytes,
  messageLength,
  type Incoming,
  type Outgoing,
} from './internal/item-codec.js';
import { PipeMemory } from './internal/pipe-memory.js';
import { runAsync, runSync, type Op } from './internal/waiting.js';

const TYPE = '@mp/ipc.Connection';
const EOF = 'eof';
const CLOSED = 'closed';
/**
 * A waiting receiver re-checks the other end this often: a copy closes
 * silently when its thread is killed (its parent marks the thread dead,
 * nobody notifies the pipe).
 */
export const EOF_CHECK_MS = 25;
/** `send` looks for dead holders of the other end once per this many sends. */
const BROKEN_PIPE_SCAN = 64;

/** What a connection turns into when it travels. */
export interface ConnectionState {
  readonly region: SharedRegion;
  readonly duplex: boolean;
  readonly end: 0 | 1;
  /** Where the travelling copy is counted until it arrives (the sender's isolate). */
  readonly from: HolderToken;
}

/** One open connection object of this isolate, as the holder table counts it. */
interface Copy {
  readonly memory: PipeMemory;
  readonly end: 0 | 1;
  readonly token: HolderToken;
  released: boolean;
}

/** This isolate's open copies: closed at exit, so that peers see EOF at once rather than when the exit is noticed. */
const openCopies = new Set<Copy>();
/** A copy garbage-collected without `close()` closes then (Python closes a connection in `__del__`). */
const collected = new FinalizationRegistry<Copy>((copy) => release(copy));
let exitHook = false;

function track(connection: object, copy: Copy): void {
  openCopies.add(copy);
  copy.memory.liveCopies++;
  collected.register(connection, copy, copy);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const open of [...openCopies]) release(open);
    });
  }
}

function release(copy: Copy): void {
  if (copy.released) return;
  copy.released = true;
  openCopies.delete(copy);
  collected.unregister(copy);
  const memory = copy.memory;
  memory.holders[copy.end].remove(copy.token);
  // Readers of the other end may now be at EOF; this isolate's own waiters must see the close.
  for (const channel of memory.channels) channel?.wakeAll();
  memory.liveCopies--;
  memory.maybeFree();
}

/** Set by `Pipe()` and the revive function just before `new`. */
let adopting: { memory: PipeMemory; end: 0 | 1; token: HolderToken } | undefined;

/** @internal Makes a connection object for end `end` of `memory`, counted under `token`. */
export function makeConnection<T>(memory: PipeMemory, end: 0 | 1, token: HolderToken): Connection<T> {
  adopting = { memory, end, token };
  try {
    return new Connection<T>();
  } finally {
    adopting = undefined;
  }
}

/** The bytes `sendBytes` sends, checked as Python checks them (shared with socket connections). */
function bytesOf(buf: ArrayBufferView, offset: number | undefined, size: number | undefined): Outgoing {
  return encodeBytes(byteRange(buf, offset, size));
}

/**
 * One end of a {@link Pipe}: sends and receives whole messages (objects by
 * structured clone, or raw bytes) to and from the other end.
 *
 * A connection travels to children by identity — as a file descriptor is
 * duplicated: each copy is open until closed, and the other end sees EOF only
 * when every copy of this end is closed (a child's copies close when it exits).
 *
 * Python: `multiprocessing.connection.Connection`.
 *
 * @typeParam T - the messages
 * @example
 * {@includeCode ../../../apps/examples/src/pipe.ts#target}
 */
export class Connection<T = unknown> implements Shareable, Disposable {
  static {
    defineShared<ConnectionState>(TYPE, (state) => {
      const memory = PipeMemory.adopt(state.region, state.duplex);
      return makeConnection(memory, state.end, memory.holders[state.end].arrive(state.from));
    });
  }

  readonly #memory: PipeMemory;
  readonly #end: 0 | 1;
  readonly #copy: Copy;
  readonly #in: Channel | undefined;
  readonly #out: Channel | undefined;
  /** The holder table of the other end: EOF and broken-pipe checks. */
  readonly #peer: Holders;
  #closed = false;
  #sends = 0;

  /**
   * Connections are made by {@link Pipe}.
   *
   * @throws TypeError when called directly
   */
  constructor() {
    if (!adopting) throw new TypeError('Connections are made by Pipe(): call Pipe() to get a connected pair');
    const { memory, end, token } = adopting;
    adopting = undefined;
    this.#memory = memory;
    this.#end = end;
    const duplex = memory.duplex;
    this.#in = duplex || end === 0 ? memory.channels[end] : undefined;
    this.#out = duplex || end === 1 ? memory.channels[duplex ? 1 - end : 0] : undefined;
    this.#peer = memory.holders[1 - end as 0 | 1];
    this.#copy = { memory, end, token, released: false };
    track(this, this.#copy);
  }

  /** True after {@link Connection.close}. Python: `closed`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether this end can receive (false for the send-only end of `Pipe(false)`). Python: `readable`. */
  get readable(): boolean {
    return this.#in !== undefined;
  }

  /** Whether this end can send (false for the receive-only end of `Pipe(false)`). Python: `writable`. */
  get writable(): boolean {
    return this.#out !== undefined;
  }

  /**
   * Sends an object to the other end. Once it returns, the message is in the
   * pipe, after this end's earlier messages. It waits only while shared
   * memory has no space for the message: a message of any size is accepted,
   * and one larger than a part (4 MiB, or 1/16 of the arena) is copied in
   * part by part as the other end reads it — so a message larger than the
   * arena returns only once the receiver has read most of it, as a write to
   * a full OS pipe does.
   *
   * Python: `send(obj)`.
   *
   * @param obj - any structured-cloneable value (shared `@mp` objects travel by identity)
   * @throws {@link ClosedError} after `close()`
   * @throws {@link DirectionError} on the receive-only end of `Pipe(false)`
   * @throws {@link BrokenPipeError} when every copy of the other end is closed (also while waiting for space)
   * @throws DataCloneError naming what inside `obj` cannot be cloned
   * @example
   * ```ts
   * conn.send({ hello: 'world' });
   * ```
   */
  send(obj: T): void {
    const out = this.#writer();
    this.#put(out, encodeValue(obj, 'obj'));
  }

  /**
   * Sends bytes as one message: `size` bytes of `buf` from `offset` (both in
   * bytes of the view, whatever its element size). An empty message is allowed.
   *
   * Python: `send_bytes(buf, offset=0, size=None)`.
   *
   * @param buf - any `ArrayBufferView` (Uint8Array, Buffer, Int32Array, DataView…)
   * @param offset - first byte to send @defaultValue 0
   * @param size - bytes to send @defaultValue the rest of the view
   * @throws TypeError when `buf` is not an ArrayBufferView, or `offset`/`size` not integers
   * @throws RangeError when `offset`/`size` are negative or reach past the view
   * @throws {@link ClosedError}, {@link DirectionError}, {@link BrokenPipeError} as {@link Connection.send}
   * @example
   * ```ts
   * conn.sendBytes(new TextEncoder().encode('abcdef'), 2, 3); // sends "cde"
   * ```
   */
  sendBytes(buf: ArrayBufferView, offset?: number, size?: number): void {
    const out = this.#writer();
    this.#put(out, bytesOf(buf, offset, size));
  }

  /** The outgoing channel, after the checks Python makes before sending (closed, direction, broken pipe). */
  #writer(): Channel {
    this.#check('send');
    if (!this.#out) {
      throw new DirectionError('connection is read-only: this is the receiving end of Pipe(false); send on the other end.');
    }
    // Every copy closed with close(): one read. Copies left open by threads
    // that died are found by a scan of the holder table, every
    // BROKEN_PIPE_SCAN sends (a scan per send would double its cost). Checked
    // before encoding, which counts the connections inside the message as open.
    if (this.#peer.none() || (++this.#sends % BROKEN_PIPE_SCAN === 0 && this.#peer.open() === 0)) {
      throw new BrokenPipeError(
        'Broken pipe: every copy of the other end of the pipe is closed, so nobody can receive this message.',
      );
    }
    return this.#out;
  }

  #put(out: Channel, item: Outgoing): void {
    const prepared = out.prepare(item);
    if (out.tryPut(prepared) === 'ok' || runSync(out.put(prepared, Infinity, this.#readerGone)) === 'ok') return;
    throw new BrokenPipeError(
      'Broken pipe: every copy of the other end of the pipe closed while this message waited for space, so nobody can receive it.',
    );
  }

  /** A send waiting for space gives up when nobody is left to read (checked before each sleep). */
  readonly #readerGone = (): boolean => this.#peer.open() === 0;

  /**
   * Receives the next message, waiting for one.
   *
   * Python: `recv()`.
   *
   * @returns the object sent (a message sent with `sendBytes` is decoded as a `v8.serialize` form)
   * @throws {@link EOFError} (rejection) when the other end is closed and nothing is left
   * @throws {@link ClosedError} (rejection) after `close()`, also while waiting
   * @throws {@link DirectionError} (rejection) on the send-only end of `Pipe(false)`
   * @example
   * ```ts
   * const message = await conn.recv();
   * ```
   */
  async recv(): Promise<T> {
    const input = this.#reader('recv');
    const fast = input.takeSoon(Infinity, this.#peerGone);
    if (fast) return this.#decode(fast);
    return this.#decode(this.#received(await this.#async(input.take(this.#waitOptions(Infinity)))));
  }

  /**
   * Like {@link Connection.recv}, blocking the calling thread.
   *
   * Python: `recv()`.
   *
   * @returns the object sent
   * @throws {@link EOFError} when the other end is closed and nothing is left
   * @throws {@link ClosedError} after `close()`
   * @throws {@link DirectionError} on the send-only end of `Pipe(false)`
   * @example
   * ```ts
   * const message = conn.recvSync();
   * ```
   */
  recvSync(): T {
    const input = this.#reader('recv');
    const fast = input.takeSoon(Infinity, this.#peerGone);
    if (fast) return this.#decode(fast);
    return this.#decode(this.#received(runSync(input.take(this.#waitOptions(Infinity)))));
  }

  /**
   * Receives the next message as bytes, waiting for one.
   *
   * Python: `recv_bytes(maxlength=None)`.
   *
   * @param maxLength - the longest message accepted, in bytes
   * @returns the bytes sent (a message sent with `send` comes as its `v8.serialize` form)
   * @throws {@link BadMessageLengthError} (rejection) when the message is longer than `maxLength`; it stays in the pipe
   * @throws RangeError (rejection) for a negative `maxLength`
   * @throws {@link EOFError}, {@link ClosedError}, {@link DirectionError} (rejections) as {@link Connection.recv}
   * @example
   * ```ts
   * const bytes = await conn.recvBytes();
   * ```
   */
  async recvBytes(maxLength?: number): Promise<Uint8Array> {
    const input = this.#reader('recvBytes');
    const accept = this.#limit(maxLength);
    const fast = accept ? undefined : input.takeSoon(Infinity, this.#peerGone);
    if (fast) return incomingBytes(fast);
    return this.#checkLength(
      incomingBytes(this.#received(await this.#async(input.take(this.#waitOptions(Infinity, accept))), maxLength)),
      maxLength,
    );
  }

  /**
   * Like {@link Connection.recvBytes}, blocking the calling thread.
   *
   * Python: `recv_bytes(maxlength=None)`.
   *
   * @param maxLength - the longest message accepted, in bytes
   * @returns the bytes sent
   * @throws {@link BadMessageLengthError} when the message is longer than `maxLength`; it stays in the pipe
   * @throws RangeError for a negative `maxLength`
   * @throws {@link EOFError}, {@link ClosedError}, {@link DirectionError} as {@link Connection.recv}
   * @example
   * ```ts
   * const bytes = conn.recvBytesSync(1024);
   * ```
   */
  recvBytesSync(maxLength?: number): Uint8Array {
    const input = this.#reader('recvBytes');
    const accept = this.#limit(maxLength);
    const fast = accept ? undefined : input.takeSoon(Infinity, this.#peerGone);
    if (fast) return incomingBytes(fast);
    return this.#checkLength(incomingBytes(this.#received(runSync(input.take(this.#waitOptions(Infinity, accept))), maxLength)), maxLength);
  }

  /**
   * Whether a message can be received without waiting — or the other end is
   * closed, so that `recv` would not wait either (it throws {@link EOFError}).
   * Waits up to `timeout` ms for that.
   *
   * Python: `poll(timeout=0)`.
   *
   * @param timeout - milliseconds; `0` = look and return; `null` or `Infinity` = no limit
   * @returns true when `recv` would not wait
   * @throws {@link ClosedError}, {@link DirectionError} (rejections) as {@link Connection.recv}
   * @example
   * ```ts
   * if (await conn.poll(100)) console.log(await conn.recv());
   * ```
   */
  async poll(timeout: number | null = 0): Promise<boolean> {
    const input = this.#reader('poll');
    const deadline = toDeadline(timeout ?? undefined);
    return this.#polled(await this.#async(input.poll(this.#waitOptions(deadline))));
  }

  /**
   * Like {@link Connection.poll}, blocking the calling thread.
   *
   * Python: `poll(timeout=0)`.
   *
   * @param timeout - milliseconds; `0` = look and return; `null` or `Infinity` = no limit
   * @returns true when `recv` would not wait
   * @throws {@link ClosedError}, {@link DirectionError} as {@link Connection.recv}
   * @example
   * ```ts
   * while (!conn.pollSync(10)) doSomethingElse();
   * ```
   */
  pollSync(timeout: number | null = 0): boolean {
    const input = this.#reader('poll');
    const deadline = toDeadline(timeout ?? undefined);
    return this.#polled(runSync(input.poll(this.#waitOptions(deadline))));
  }

  /**
   * Closes this copy of the connection. The other end sees EOF once every
   * copy of this end is closed. Pending receives on this object fail with
   * {@link ClosedError}. Calling it again does nothing.
   *
   * Python: `close()`.
   *
   * @example
   * ```ts
   * p.start();
   * childConn.close(); // the child has its own copy
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    release(this.#copy);
  }

  /** `using conn = …` closes it at the end of the scope (Python: `with conn:`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal The shared-object protocol: the connection travels by identity, as a duplicated descriptor. */
  [share](context: ShareContext): SharedState {
    this.#check('send a connection');
    // Refuse destinations without shared memory (StartMethodError) before anything is counted.
    checkShareable(context);
    // The travelling copy is open from now on: count it here until it arrives.
    const from = this.#memory.holders[this.#end].add();
    const state: ConnectionState = { region: this.#memory.region, duplex: this.#memory.duplex, end: this.#end, from };
    return { type: TYPE, module: import.meta.url, state };
  }

  #check(what: string): void {
    if (this.#closed) {
      throw new ClosedError(`handle is closed: ${what}() cannot be used after close() on this connection object.`);
    }
  }

  #reader(what: string): Channel {
    this.#check(what);
    if (!this.#in) {
      throw new DirectionError('connection is write-only: this is the sending end of Pipe(false); receive on the other end.');
    }
    return this.#in;
  }

  #limit(maxLength: number | undefined): ((incoming: Incoming) => boolean) | undefined {
    if (maxLength === undefined) return undefined;
    const limit = toInteger(maxLength, 'maxLength');
    if (limit < 0) throw new RangeError(`negative maxlength: expected \`maxLength\` to be at least 0, got ${describe(maxLength)}`);
    return (incoming) => {
      const streamed = streamedLength(incoming);
      if (streamed === undefined) return messageLength(incoming) <= limit;
      // A message sent in parts: raw bytes and v8 forms are as long as their payload; the length of
      // another kind's v8.serialize form is known only once read (see #checkLength).
      return streamed <= limit || (incoming.kind !== KIND_BYTES && incoming.kind !== KIND_V8);
    };
  }

  /** The check `accept` could not make before a message sent in parts was read: such a message is then lost. */
  #checkLength(bytes: Uint8Array, maxLength: number | undefined): Uint8Array {
    if (maxLength !== undefined && bytes.byteLength > maxLength) {
      throw new BadMessageLengthError(
        `bad message length: the message is ${bytes.byteLength} bytes, longer than \`maxLength\` (${maxLength} bytes). ` +
          'It was sent in parts and its length was known only once read, so it is dropped (as Python does). Receive it with a larger maxLength, or with recv().',
      );
    }
    return bytes;
  }

  /** Cheap: every copy of the other end was closed explicitly (no point spinning for a message). */
  readonly #peerGone = (): boolean => this.#peer.none();

  readonly #stop = (): string | undefined => {
    if (this.#closed) return CLOSED;
    return this.#peer.open() === 0 ? EOF : undefined;
  };

  #waitOptions(deadline: number, accept?: (incoming: Incoming) => boolean): TakeOptions {
    return { deadline, stop: this.#stop, slice: EOF_CHECK_MS, accept };
  }

  /** Runs an op while holding the memory (so that closing both ends meanwhile cannot free it under the op). */
  async #async<R>(op: Op<R>): Promise<R> {
    const memory = this.#memory;
    memory.activeOps++;
    try {
      return await runAsync(op);
    } finally {
      memory.activeOps--;
      memory.maybeFree();
    }
  }

  #received(result: Incoming | string | undefined, maxLength?: number): Incoming {
    if (result === EOF) {
      throw new EOFError('EOF: every copy of the other end of the pipe is closed and no message is left to receive.');
    }
    if (result === CLOSED || result === undefined) this.#check('recv');
    if (result === REJECTED) {
      throw new BadMessageLengthError(
        `bad message length: the next message is longer than \`maxLength\` (${maxLength} bytes). ` +
          'It stays in the pipe: receive it with a larger maxLength, or with recv().',
      );
    }
    return result as Incoming;
  }

  #polled(result: true | string | undefined): boolean {
    if (result === CLOSED) this.#check('poll');
    return result !== undefined;
  }

  #decode(incoming: Incoming): T {
    if (incoming.kind === KIND_BYTES) return decodeRawBytes(incomingBytes(incoming)) as T;
    return decodeIncoming(incoming) as T;
  }

  /** Python's repr: `<Connection readable writable>`. */
  toString(): string {
    if (this.#closed) return '<Connection closed>';
    return `<Connection${this.readable ? ' readable' : ''}${this.writable ? ' writable' : ''}>`;
  }

  /** `util.inspect` shows the repr. */
  [inspect.custom](): string {
    return this.toString();
  }
}
