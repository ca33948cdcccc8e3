import { connect, type Socket } from 'node:net';
import { serialize } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadMessageError,
  EOFError,
  Listener,
  MessageTooLongError,
  Queue,
  type SocketConnection,
} from '@mp/ipc';

/**
 * A raw TCP peer that writes whatever bytes a test gives it: what an attacker
 * or a confused program could send. Nothing here uses @mp's own client.
 */
const open: { close?(): void; destroy?(): void }[] = [];
afterEach(() => {
  for (const item of open.splice(0)) item.close ? item.close() : item.destroy?.();
});

async function listen(authkey: Uint8Array | null, maxMessageBytes?: number): Promise<Listener> {
  const listener = await new Listener(['127.0.0.1', 0], maxMessageBytes === undefined ? { authkey } : { authkey, maxMessageBytes }).ready;
  open.push(listener);
  return listener;
}

function rawPeer(listener: Listener): Promise<Socket> {
  const [host, port] = listener.address as readonly [string, number];
  const socket = connect({ host, port });
  open.push(socket);
  socket.on('error', () => {});
  socket.resume(); // read and drop what the listener sends, so that its close is seen
  return new Promise((resolve) => socket.once('connect', () => resolve(socket)));
}

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(payload.byteLength);
  return Buffer.concat([header, payload]);
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

/** An accepted connection from a raw peer to a listener without authkey. */
async function rawPair(maxMessageBytes?: number): Promise<[SocketConnection, Socket]> {
  const listener = await listen(null, maxMessageBytes);
  const [conn, raw] = await Promise.all([listener.accept(), rawPeer(listener)]);
  open.push(conn);
  return [conn, raw];
}

describe('hostile bytes before authentication', () => {
  it('an HTTP request instead of an answer: AuthenticationError, connection dropped, nothing decoded', { timeout: 20_000 }, async () => {
    const listener = await listen(Buffer.from('key'));
    const raw = await rawPeer(listener);
    raw.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const error = await listener.accept().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/256 bytes/);
    await closed(raw);
  });

  it('a frame claiming gigabytes before authentication is refused at once', { timeout: 20_000 }, async () => {
    const listener = await listen(Buffer.from('key'));
    const raw = await rawPeer(listener);
    const header = Buffer.alloc(12);
    header.writeInt32BE(-1, 0);
    header.writeBigUInt64BE(2n ** 62n, 4);
    raw.write(header);
    await expect(listener.accept()).rejects.toBeInstanceOf(AuthenticationError);
    await closed(raw);
  });

  it('a well-framed but wrong answer: AuthenticationError, and the peer reads #FAILURE#', { timeout: 20_000 }, async () => {
    const listener = await listen(Buffer.from('key'));
    const raw = await rawPeer(listener);
    const received: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => setImmediate(resolve));
    const accepted = listener.accept().catch((e: unknown) => e);
    // A forged answer: the right prefix, a MAC of the right length, made without the key.
    raw.write(frame(Buffer.concat([Buffer.from('{sha256}'), Buffer.alloc(32, 7)])));
    expect(await accepted).toBeInstanceOf(AuthenticationError);
    await closed(raw);
    expect(Buffer.concat(received).includes(Buffer.from('#FAILURE#'))).toBe(true);
  });

  it('an unsupported digest name is refused', { timeout: 20_000 }, async () => {
    const listener = await listen(Buffer.from('key'));
    const raw = await rawPeer(listener);
    const accepted = listener.accept().catch((e: unknown) => e);
    raw.write(frame(Buffer.concat([Buffer.from('{crc32}'), Buffer.alloc(40)])));
    expect(await accepted).toBeInstanceOf(AuthenticationError);
    expect((await accepted as Error).message).toMatch(/unsupported digest/);
  });

  it('a peer that closes during the handshake', { timeout: 20_000 }, async () => {
    const listener = await listen(Buffer.from('key'));
    const raw = await rawPeer(listener);
    const accepted = listener.accept().catch((e: unknown) => e);
    raw.end(Buffer.from([0, 0, 0, 9, 1, 2]));
    expect(await accepted).toBeInstanceOf(AuthenticationError);
  });
});

describe('hostile frames after the connection is made', () => {
  it('a huge length prefix is MessageTooLongError and closes the connection', { timeout: 20_000 }, async () => {
    const [conn, raw] = await rawPair(1024);
    const header = Buffer.alloc(4);
    header.writeInt32BE(0x7fff_ffff);
    raw.write(header);
    await expect(conn.recv()).rejects.toBeInstanceOf(MessageTooLongError);
    await expect(conn.recv()).rejects.toBeInstanceOf(MessageTooLongError);
    await closed(raw);
  });

  it('a 64-bit length over the limit, and a negative length', { timeout: 20_000 }, async () => {
    const [conn, raw] = await rawPair();
    const header = Buffer.alloc(12);
    header.writeInt32BE(-1, 0);
    header.writeBigUInt64BE(2n ** 40n, 4);
    raw.write(header);
    await expect(conn.recvBytes()).rejects.toBeInstanceOf(MessageTooLongError);

    const [other, raw2] = await rawPair();
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5);
    raw2.write(negative);
    await expect(other.recv()).rejects.toBeInstanceOf(BadMessageError);
  });

  it('a truncated frame then EOF is an EOFError that says so', { timeout: 20_000 }, async () => {
    const [conn, raw] = await rawPair();
    const header = Buffer.alloc(4);
    header.writeInt32BE(100);
    raw.end(Buffer.concat([header, Buffer.alloc(10)]));
    const error = await conn.recv().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EOFError);
    expect((error as Error).message).toMatch(/middle of a message/);
  });

  it('garbage that is not a v8.serialize form is BadMessageError; the next message still arrives', { timeout: 20_000 }, async () => {
    const [conn, raw] = await rawPair();
    raw.write(frame(Buffer.from([0xff, 0x0f, 0x6f, 0x22, 0x7f, 0xff, 0xff])));
    raw.write(frame(serialize({ ok: true })));
    await expect(conn.recv()).rejects.toBeInstanceOf(BadMessageError);
    expect(await conn.recv()).toEqual({ ok: true });
  });

  it('a forged shared-object table arrives as plain data: no module loaded, no object revived', { timeout: 20_000 }, async () => {
    const [conn, raw] = await rawPair();
    const q = new Queue();
    q.close();
    const forgedModule = new URL('./fixtures/imported-flag.ts', import.meta.url).href;
    // Shaped like @mp/core's encoded messages: a value and a table naming a module and a type.
    const forged = {
      value: { q: { '@mp': 0 } },
      shared: { objects: [{ '@mp': 0 }], states: [{ type: '@mp/ipc.Queue', module: forgedModule, state: { control: { offset: 0 } } }] },
    };
    raw.write(frame(serialize(forged)));
    const received = await conn.recv();
    expect(received).toEqual(forged);
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
    expect((received as { value: { q: unknown } }).value.q).not.toBeInstanceOf(Queue);
    expect((globalThis as Record<string, unknown>).__mpForgedImport).toBeUndefined();
  });
});
