import { DataCloneError } from '@mp/core';
import {
  BadMessageLengthError,
  BrokenPipeError,
  ClosedError,
  Connection,
  DirectionError,
  EOFError,
  Pipe,
  Queue,
} from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { elapsed } from './helpers.ts';

const encoder = new TextEncoder();
const latin = (text: string): Uint8Array => encoder.encode(text);

describe('Pipe in one thread', () => {
  it('Pipe() is duplex: each end sends to the other; objects and bytes, in order', async () => {
    const [a, b] = Pipe();
    expect([a.readable, a.writable, b.readable, b.writable]).toEqual([true, true, true, true]);
    a.send([1, 2.25, null]);
    a.send({ nested: { deep: true } });
    b.send('back');
    expect(await b.recv()).toEqual([1, 2.25, null]);
    expect(b.recvSync()).toEqual({ nested: { deep: true } });
    expect(a.recvSync()).toBe('back');
    a.sendBytes(latin('hello world'));
    expect(b.recvBytesSync()).toEqual(latin('hello world'));
  });

  it('messages never merge; empty messages arrive as empty messages', async () => {
    const [a, b] = Pipe();
    a.sendBytes(latin('ab'));
    a.sendBytes(new Uint8Array(0));
    a.sendBytes(latin('cd'));
    a.send('');
    expect(b.recvBytesSync()).toEqual(latin('ab'));
    expect(b.recvBytesSync()).toEqual(new Uint8Array(0));
    expect(await b.recvBytes()).toEqual(latin('cd'));
    expect(b.recvSync()).toBe('');
    expect(b.pollSync()).toBe(false);
  });

  it('sendBytes(buf, offset, size) counts bytes of the view, with Python’s checks (CPython test_sendbytes)', () => {
    const msg = latin('abcdefghijklmnopqrstuvwxyz');
    const [a, b] = Pipe();
    a.sendBytes(msg);
    expect(b.recvBytesSync()).toEqual(msg);
    a.sendBytes(msg, 5);
    expect(b.recvBytesSync()).toEqual(msg.subarray(5));
    a.sendBytes(msg, 7, 8);
    expect(b.recvBytesSync()).toEqual(msg.subarray(7, 15));
    a.sendBytes(msg, 26);
    expect(b.recvBytesSync()).toEqual(new Uint8Array(0));
    a.sendBytes(msg, 26, 0);
    expect(b.recvBytesSync()).toEqual(new Uint8Array(0));
    expect(() => a.sendBytes(msg, 27)).toThrow(RangeError);
    expect(() => a.sendBytes(msg, 22, 5)).toThrow(/buffer length < offset \+ size/);
    expect(() => a.sendBytes(msg, 26, 1)).toThrow(RangeError);
    expect(() => a.sendBytes(msg, -1)).toThrow(/offset is negative/);
    expect(() => a.sendBytes(msg, 4, -1)).toThrow(/size is negative/);
    expect(() => a.sendBytes(msg, 1.5)).toThrow(TypeError);
    expect(() => a.sendBytes('abc' as never)).toThrow(TypeError);
    // Offsets count bytes of any view, not elements.
    const ints = new Int32Array([1, 2, 3]);
    a.sendBytes(ints, 4, 4);
    expect(b.recvBytesSync()).toEqual(new Uint8Array(ints.buffer, 4, 4));
    const view = new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2);
    a.sendBytes(view);
    expect(b.recvBytesSync()).toEqual(new Uint8Array([8, 7]));
    expect(b.pollSync()).toBe(false);
  });

  it('recv() of bytes decodes a v8.serialize form; recvBytes() of an object gives that form', async () => {
    const [a, b] = Pipe();
    a.send({ x: [1, 2] });
    const bytes = b.recvBytesSync();
    b.sendBytes(bytes);
    expect(await a.recv()).toEqual({ x: [1, 2] });
    a.send(42);
    b.sendBytes(b.recvBytesSync());
    expect(a.recvSync()).toBe(42);
    a.sendBytes(latin('not v8'));
    expect(() => b.recvSync()).toThrow(/recvBytes/);
  });

  it('recvBytes(maxLength) refuses a longer message and leaves it in the pipe', async () => {
    const [a, b] = Pipe();
    a.sendBytes(latin('0123456789'));
    expect(() => b.recvBytesSync(4)).toThrow(BadMessageLengthError);
    await expect(b.recvBytes(9)).rejects.toMatchObject({ code: 'ERR_MP_BAD_MESSAGE_LENGTH' });
    expect(() => b.recvBytesSync(-1)).toThrow(/negative maxlength/);
    expect(b.recvBytesSync(10)).toEqual(latin('0123456789'));
    a.send('x'.repeat(100));
    expect(() => b.recvBytesSync(50)).toThrow(BadMessageLengthError);
    expect(b.recvSync()).toBe('x'.repeat(100));
  });

  it('poll(): false at once, after the timeout, never earlier; true when a message waits (CPython test_connection)', async () => {
    const [a, b] = Pipe();
    expect(a.pollSync()).toBe(false);
    expect(await a.poll()).toBe(false);
    expect(a.pollSync(-1)).toBe(false);
    const waited = await elapsed(async () => expect(await a.poll(100)).toBe(false));
    expect(waited).toBeGreaterThanOrEqual(100);
    const waitedSync = await elapsed(() => expect(a.pollSync(50)).toBe(false));
    expect(waitedSync).toBeGreaterThanOrEqual(50);
    b.send(null);
    expect(a.pollSync(1000)).toBe(true);
    expect(await a.poll()).toBe(true);
    expect(a.recvSync()).toBe(null);
    expect(a.pollSync()).toBe(false);
  });

  it('a 16 MiB message arrives intact', async () => {
    const [a, b] = Pipe();
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1013) big[i] = i & 0xff;
    a.sendBytes(big);
    a.send('after');
    const got = await b.recvBytes();
    expect(got.byteLength).toBe(big.byteLength);
    expect(Buffer.compare(got, big)).toBe(0);
    expect(b.recvSync()).toBe('after');
  });

  it('Pipe(false) gives [receiveOnly, sendOnly]; the wrong direction throws (CPython test_duplex_false)', async () => {
    const [reader, writer] = Pipe(false);
    writer.send(1);
    expect(reader.recvSync()).toBe(1);
    expect([reader.readable, reader.writable, writer.readable, writer.writable]).toEqual([true, false, false, true]);
    expect(() => reader.send(2)).toThrow(DirectionError);
    expect(() => reader.send(2)).toThrow(/connection is read-only/);
    expect(() => reader.sendBytes(latin('x'))).toThrow(DirectionError);
    expect(() => writer.recvSync()).toThrow(/connection is write-only/);
    await expect(writer.recv()).rejects.toThrow(DirectionError);
    expect(() => writer.pollSync()).toThrow(DirectionError);
    await expect(writer.recvBytes()).rejects.toMatchObject({ code: 'ERR_MP_DIRECTION' });
  });

  it('EOF once the other end is closed and nothing is left; poll() is then true', async () => {
    const [a, b] = Pipe();
    b.send('last words');
    b.close();
    expect(a.pollSync()).toBe(true);
    expect(await a.recv()).toBe('last words');
    expect(a.pollSync()).toBe(true);
    expect(() => a.recvSync()).toThrow(EOFError);
    await expect(a.recv()).rejects.toMatchObject({ name: 'EOFError', code: 'ERR_MP_EOF' });
    await expect(a.recvBytes()).rejects.toThrow(EOFError);
    expect(a.readable).toBe(true);
    expect(a.writable).toBe(true);
  });

  it('a waiting recv() gets EOF when the other end closes', async () => {
    const [a, b] = Pipe();
    const pending = a.recv();
    await new Promise((resolve) => setImmediate(resolve));
    b.close();
    await expect(pending).rejects.toThrow(EOFError);
  });

  it('send() to a closed other end is a broken pipe', () => {
    const [a, b] = Pipe();
    b.close();
    expect(() => a.send(1)).toThrow(BrokenPipeError);
    expect(() => a.sendBytes(latin('x'))).toThrow(BrokenPipeError);
    const [reader, writer] = Pipe(false);
    reader.close();
    expect(() => writer.send(1)).toThrow(BrokenPipeError);
  });

  it('after close(): everything throws "handle is closed", close() again is fine, pending recv is woken (CPython test_context)', async () => {
    const [a, b] = Pipe();
    {
      using x = a;
      using y = b;
      x.send(1729);
      expect(y.recvSync()).toBe(1729);
      expect(x.closed).toBe(false);
    }
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(true);
    expect(() => a.recvSync()).toThrow(ClosedError);
    expect(() => a.recvSync()).toThrow(/handle is closed/);
    await expect(b.recv()).rejects.toThrow(ClosedError);
    expect(() => a.send(1)).toThrow(ClosedError);
    expect(() => a.pollSync()).toThrow(ClosedError);
    a.close();
    const [c, d] = Pipe();
    const pending = c.recv();
    await new Promise((resolve) => setImmediate(resolve));
    c.close();
    await expect(pending).rejects.toThrow(ClosedError);
    d.close();
  });

  it('rejects what cannot be cloned; Connection cannot be constructed directly', () => {
    const [a] = Pipe();
    expect(() => a.send((() => 1) as never)).toThrow(DataCloneError);
    expect(() => new Connection()).toThrow(/Pipe\(\)/);
    expect(() => Pipe('yes' as never)).toThrow(TypeError);
  });

  it('connections travel inside messages and queue items, as copies of the same end', async () => {
    const [a, b] = Pipe<unknown>();
    const [c, d] = Pipe<string>();
    a.send({ conn: d });
    const { conn } = (await b.recv()) as { conn: Connection<string> };
    expect(conn).toBeInstanceOf(Connection);
    c.send('through the copy');
    expect(conn.recvSync()).toBe('through the copy');
    // Two copies of d are open now: closing one is not EOF for c.
    d.close();
    conn.send('still open');
    expect(c.recvSync()).toBe('still open');
    conn.close();
    expect(() => c.recvSync()).toThrow(EOFError);
    const q = new Queue<Connection<string>>();
    const [e, f] = Pipe<string>();
    q.putSync(f);
    f.close();
    const copy = q.getSync();
    copy.send('via queue');
    expect(e.recvSync()).toBe('via queue');
    copy.close();
    expect(() => e.recvSync()).toThrow(EOFError);
  });

  it('reads like Python’s repr', () => {
    const [a, b] = Pipe(false);
    expect(String(a)).toBe('<Connection readable>');
    expect(String(b)).toBe('<Connection writable>');
    b.close();
    expect(String(b)).toBe('<Connection closed>');
  });
});
