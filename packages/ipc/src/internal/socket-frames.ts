import { writeSync, writevSync } from 'node:fs';
import { connect, Socket, type NetConnectOpts } from 'node:net';
import { EOFError } from '../errors.js';
import { BadMessageError, MessageTooLongError } from '../socket-errors.js';

/**
 * The wire format of socket connections, the one CPython's
 * `multiprocessing.connection` uses: each message is a frame, a 4-byte
 * big-endian signed length then that many bytes; a length of -1 is followed by
 * an 8-byte big-endian length (messages of 2 GiB and more). Nothing in a frame
 * says what it holds: `recv` decodes the payload with `v8.deserialize` as plain
 * data, `recvBytes` returns it as it came.
 *
 * Frames are parsed lazily, by whoever asks for the next one, with the limit
 * that caller gives: the authentication steps ask with a 256-byte limit (as
 * CPython's `recv_bytes(256)`), so a peer that has not authenticated can make
 * this side hold at most 256 bytes plus what TCP delivers before the check.
 */

/** The default longest message a socket connection accepts: 128 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;
/** Above this many unread bytes with no reader waiting, reading from the socket pauses (TCP then pushes back). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Frames up to this many payload bytes are copied behind their header and written as one buffer. */
const COALESCE_BYTES = 64 * 1024;
/**
 * What every socket of this thread reads into (Node's `onread` option): reads are
 * delivered one at a time, and each delivery copies out what it keeps before the next.
 * This spares each read the stream machinery (a `'data'` event through `Readable`),
 * a third of the CPU time of a small message's round trip.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Reads up to this many bytes are copied out of {@link READ_BUFFER} by a loop. */
const SMALL_READ = 256;

/** The private handle of a Node socket, as far as {@link FrameSocket} uses it. */
interface SocketHandle {
  readStart(): number;
  readStop(): number;
  /** The file descriptor (Unix; -1 where there is none). */
  readonly fd?: number;
}

/** The handle of a socket (`null` once destroyed), or undefined when Node no longer has one there. */
function handleOf(socket: Socket): Partial<SocketHandle> | null | undefined {
  return (socket as unknown as { _handle?: Partial<SocketHandle> | null })._handle;
}

/** One frame's header for a payload of `length` bytes. */
export function frameHeader(length: number): Buffer {
  if (length <= 0x7fff_ffff) {
    const header = Buffer.allocUnsafe(4);
    header.writeInt32BE(length, 0);
    return header;
  }
  const header = Buffer.allocUnsafe(12);
  header.writeInt32BE(-1, 0);
  header.writeBigUInt64BE(BigInt(length), 4);
  return header;
}

/**
 * A socket read as frames, plus what the connection classes need around it:
 * EOF and errors, waiting for readability, and refs (the socket keeps the
 * event loop alive only while someone waits on it or a write is pending).
 */
export class FrameSocket {
  readonly socket: Socket;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  /** Set once a frame header broke a limit: the stream is desynchronised for good. */
  #fatal: Error | undefined;
  /** Who waits for the next event on the socket; all are woken (and forgotten) at once. */
  #waiters: (() => void)[] = [];
  /** Whether this paused the socket (too many unread bytes); only this pauses it. */
  #paused = false;
  /** Whether the socket holds the event loop open now (changed only on transitions: a handle call per change). */
  #reffed = true;

  /**
   * The socket's handle and file descriptor while writes may go straight to the
   * descriptor (`fs.writeSync`, one system call, without the stream machinery):
   * found at the first write; `null` where there is none (the stream then writes).
   */
  #direct: { handle: Partial<SocketHandle>; fd: number } | null | undefined;

  /** Passed to every write: once Node has handed the bytes over, the socket may stop holding the event loop (made once, not per write). */
  readonly #written = (): void => this.#updateRef();

  /**
   * Connects (`net.connect`) with every read delivered straight to the new frame
   * socket. It holds the event loop open while it connects, as a plain socket does.
   */
  static connect(options: NetConnectOpts): FrameSocket {
    let frames: FrameSocket | undefined;
    const socket = connect({ ...options, onread: { buffer: READ_BUFFER, callback: (nread) => frames!.#received(nread) } });
    frames = new FrameSocket(socket, false);
    return frames;
  }

  /**
   * Takes a socket that a `net.Server` accepted with `pauseOnConnect: true`.
   * Its handle moves to a new `Socket` that reads straight into this frame socket
   * (Node lets only the `Socket` constructor set `onread`); when the handle is not
   * what Node has always given, the socket is read through `'data'` events instead.
   */
  static adopt(accepted: Socket): FrameSocket {
    const handle = handleOf(accepted);
    if (handle && typeof handle.readStart === 'function' && typeof handle.readStop === 'function') {
      let frames: FrameSocket | undefined;
      // The accepted Socket lets go of the handle, then ends without touching it (its server counts it closed).
      (accepted as unknown as { _handle: unknown })._handle = null;
      accepted.destroy();
      const socket = new Socket({
        handle,
        readable: true,
        writable: true,
        onread: { buffer: READ_BUFFER, callback: (nread: number) => frames!.#received(nread) },
      } as ConstructorParameters<typeof Socket>[0]);
      frames = new FrameSocket(socket, false);
      return frames;
    }
    const frames = new FrameSocket(accepted, true);
    accepted.resume();
    return frames;
  }

  /** Use {@link FrameSocket.connect} or {@link FrameSocket.adopt}: `dataEvents` says whether reads come as `'data'` events. */
  private constructor(socket: Socket, dataEvents: boolean) {
    this.socket = socket;
    if (dataEvents) {
      socket.on('data', (chunk: Buffer) => this.#add(chunk));
    }
    socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', (error) => {
      this.#error ??= error;
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('drain', () => this.#updateRef());
    // A connecting socket keeps the event loop open until it is connected.
    if (socket.connecting) socket.once('connect', () => this.#updateRef());
    else this.#updateRef();
  }

  /** A read into {@link READ_BUFFER}: its bytes are copied out before the next read. */
  #received(nread: number): boolean {
    const chunk = Buffer.allocUnsafe(nread);
    // Buffer#copy makes typed-array views per call: a loop is cheaper for a small message's bytes.
    if (nread <= SMALL_READ) for (let i = 0; i < nread; i++) chunk[i] = READ_BUFFER[i]!;
    else READ_BUFFER.copy(chunk, 0, 0, nread);
    this.#add(chunk);
    return true;
  }

  /** Reads again after {@link FrameSocket.#add} paused the socket (too much unread). */
  #resume(): void {
    this.#paused = false;
    if (!this.socket.destroyed) this.socket.resume();
  }

  #add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    if (this.#buffered > HIGH_WATER_BYTES && this.#waiters.length === 0 && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    this.#wake();
  }

  /** Whether the other side can send nothing more (EOF, reset, or this side destroyed the socket). */
  get ended(): boolean {
    return this.#ended || this.#error !== undefined || this.socket.destroyed;
  }

  /** The socket error that ended it, if any (ECONNRESET, EPIPE…). */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Whether a call to {@link FrameSocket.next} would settle at once: a whole frame, EOF, or a broken stream. */
  readable(limit: number): boolean {
    if (this.#fatal || this.ended) return true;
    try {
      return this.#peekLength(limit) !== undefined;
    } catch {
      return true;
    }
  }

  /** The length of the next frame if it is all here (undefined otherwise, or when its header is bad). */
  peekLength(limit: number): number | undefined {
    try {
      return this.#fatal ? undefined : this.#peekLength(limit);
    } catch {
      return undefined;
    }
  }

  /** Wakes every waiter (they look again: a close on this side). */
  wakeAll(): void {
    this.#wake();
  }

  /**
   * Writes one frame. A small one goes as one buffer (one `write` system call,
   * one TCP segment with `noDelay`); a large one as header + payload (no copy of
   * the part the kernel takes at once). Bytes the kernel does not take at once
   * are queued on the socket, which stays ref'd until Node has handed them over.
   *
   * @param owned - whether `payload` is this module's own (a caller's buffer is copied when it must wait: the caller may reuse it)
   */
  write(payload: Uint8Array, owned = false): void {
    const length = payload.byteLength;
    if (length <= COALESCE_BYTES) {
      const frame = Buffer.allocUnsafe(4 + length);
      frame.writeInt32BE(length, 0);
      frame.set(payload, 4);
      this.writeFrame(frame);
      return;
    }
    const header = frameHeader(length);
    const fd = this.#directFd();
    let written = 0;
    if (fd >= 0) {
      try {
        written = writevSync(fd, [header, payload]);
      } catch {
        // EAGAIN (the socket buffer is full), EPIPE…: the stream writes it, and reports an error as it does.
        written = 0;
      }
    }
    if (written === header.byteLength + length) return;
    const socket = this.socket;
    socket.cork();
    if (written < header.byteLength) socket.write(written === 0 ? header : header.subarray(written));
    const sent = Math.max(0, written - header.byteLength);
    const rest = sent === 0 ? payload : payload.subarray(sent);
    socket.write(owned ? rest : Buffer.from(rest), this.#written);
    socket.uncork();
    this.#updateRef();
  }

  /** Writes a whole frame, length header included (made by the caller, e.g. `encodePlainFrame`; this module's to keep). */
  writeFrame(frame: Buffer): void {
    const fd = this.#directFd();
    let written = 0;
    if (fd >= 0) {
      try {
        written = writeSync(fd, frame);
      } catch {
        // EAGAIN (the socket buffer is full), EPIPE…: the stream writes it, and reports an error as it does.
        written = 0;
      }
      if (written === frame.byteLength) return;
    }
    this.socket.write(written === 0 ? frame : frame.subarray(written), this.#written);
    this.#updateRef();
  }

  /**
   * The descriptor to write to at once, or -1 when the bytes must go through the
   * stream: nothing may be queued there before them (order), and the socket must
   * be connected, open, and still hold the handle whose descriptor this is (a
   * closed descriptor's number may be reused by another file).
   */
  #directFd(): number {
    const socket = this.socket;
    if (socket.destroyed || socket.connecting || !socket.writable || socket.writableLength !== 0) return -1;
    let direct = this.#direct;
    if (direct === undefined) {
      const handle = handleOf(socket);
      const fd = handle?.fd;
      this.#direct = direct = handle && typeof fd === 'number' && fd >= 0 ? { handle, fd } : null;
    }
    return direct !== null && handleOf(socket) === direct.handle ? direct.fd : -1;
  }

  /**
   * The next frame's payload, waiting for it.
   *
   * @throws {@link MessageTooLongError} for a frame over `limit` (the socket is then closed: the stream cannot go on)
   * @throws {@link EOFError} at EOF, or EOF in the middle of a frame
   */
  async next(limit: number): Promise<Buffer> {
    for (;;) {
      const frame = this.tryNext(limit);
      if (frame) return frame;
      await this.changed();
    }
  }

  /** The next frame if it is all here; throws as {@link FrameSocket.next} does. */
  tryNext(limit: number): Buffer | undefined {
    if (this.#fatal) throw this.#fatal;
    // The common case: a whole frame with a 4-byte header at the front of the first chunk.
    const first = this.#chunks[0];
    if (first !== undefined && first.byteLength >= 4) {
      const length = first.readInt32BE(0);
      if (length >= 0 && length <= limit && first.byteLength >= 4 + length) {
        const frame = first.subarray(4, 4 + length);
        if (first.byteLength === 4 + length) this.#chunks.shift();
        else this.#chunks[0] = first.subarray(4 + length);
        this.#buffered -= 4 + length;
        if (this.#paused && this.#buffered <= HIGH_WATER_BYTES) this.#resume();
        return frame;
      }
    }
    let length: number | undefined;
    try {
      length = this.#peekLength(limit);
    } catch (error) {
      this.#fatal = error as Error;
      this.socket.destroy();
      throw error;
    }
    if (length !== undefined) {
      const header = this.#headerBytes();
      return this.#take(header + length).subarray(header);
    }
    if (this.ended) {
      if (this.#buffered > 0) {
        throw eof(`EOF in the middle of a message: the connection ended after ${this.#buffered} bytes of an incomplete frame.`, this.#error);
      }
      throw eof('EOF: the other end of the connection closed it and no message is left to receive.', this.#error);
    }
    return undefined;
  }

  /**
   * Calls `callback` once, at the next event on the socket (data, EOF, error,
   * a close on this side). Keeps the event loop alive meanwhile. The callback
   * runs inside the socket's event: it must not throw.
   */
  onChange(callback: () => void): void {
    if (this.#paused) this.#resume();
    this.#waiters.push(callback);
    this.#updateRef();
  }

  /** Resolves at the next event on the socket (data, EOF, error), or after `timeout` ms. Keeps the event loop alive meanwhile. */
  changed(timeout = Infinity): Promise<void> {
    if (timeout === Infinity) return new Promise<void>((resolve) => this.onChange(resolve));
    if (this.#paused) this.#resume();
    return new Promise<void>((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        this.#updateRef();
        resolve();
      }, Math.max(0, timeout));
      this.#waiters.push(waiter);
      this.#updateRef();
    });
  }

  /** Stops the socket (no more reads or writes); waiters wake. */
  destroy(): void {
    this.socket.destroy();
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    // A fresh list rather than `length = 0`: setting an array's length is a runtime call in V8.
    if (waiters.length > 0) this.#waiters = [];
    this.#updateRef();
    for (const waiter of waiters) waiter();
  }

  #updateRef(): void {
    const wanted = this.#waiters.length > 0 || this.socket.writableLength > 0;
    if (wanted === this.#reffed) return;
    this.#reffed = wanted;
    if (wanted) this.socket.ref();
    else this.socket.unref();
  }

  /** Bytes of the header at the front (4, or 12 for a 64-bit length); only valid once {@link #peekLength} answered. */
  #headerBytes(): number {
    return this.#peek(4).readInt32BE(0) === -1 ? 12 : 4;
  }

  /** The payload length of the first frame if the whole frame is buffered; throws on a length over `limit`. */
  #peekLength(limit: number): number | undefined {
    if (this.#buffered < 4) return undefined;
    const short = this.#peek(4).readInt32BE(0);
    let length: number;
    let header = 4;
    if (short === -1) {
      if (this.#buffered < 12) return undefined;
      const long = this.#peek(12).readBigUInt64BE(4);
      if (long > BigInt(limit)) throw tooLong(long, limit);
      length = Number(long);
      header = 12;
    } else if (short < 0) {
      throw new BadMessageError(
        `bad message length: a frame header says ${short} bytes. The peer does not speak this protocol (length-prefixed frames, as Python's multiprocessing.connection).`,
      );
    } else {
      if (short > limit) throw tooLong(BigInt(short), limit);
      length = short;
    }
    return this.#buffered >= header + length ? length : undefined;
  }

  /** The first `n` buffered bytes (joins chunks only when they are split). */
  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.byteLength >= n) return first;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  /** Removes and returns the first `n` buffered bytes. */
  #take(n: number): Buffer {
    let out: Buffer;
    const first = this.#chunks[0]!;
    if (first.byteLength >= n) {
      out = first.subarray(0, n);
      if (first.byteLength === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const chunk = this.#chunks[0]!;
        const part = Math.min(chunk.byteLength, n - at);
        chunk.copy(out, at, 0, part);
        at += part;
        if (part === chunk.byteLength) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      }
    }
    this.#buffered -= n;
    if (this.#paused && this.#buffered <= HIGH_WATER_BYTES) this.#resume();
    return out;
  }
}

function tooLong(length: bigint, limit: number): MessageTooLongError {
  return new MessageTooLongError(
    `message too long: a frame header announces ${length} bytes, more than the limit of ${limit} bytes. ` +
      'The connection is closed (the stream cannot be resynchronised). Raise `maxMessageBytes` on both sides if such messages are expected.',
  );
}

function eof(message: string, cause: Error | undefined): EOFError {
  const error = new EOFError(message);
  if (cause) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}
