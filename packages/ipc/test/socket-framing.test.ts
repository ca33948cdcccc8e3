import { spawn } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { connect, createServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Process, ref, type StartMethod } from '@mp/core';
import { BadMessageError, Client, ClosedError, EOFError, Listener, type SocketConnection } from '@mp/ipc';

/**
 * The socket framing's fast paths: scalars written and read without
 * v8.serialize (the same bytes), one buffer per small frame, frames parsed
 * from whatever chunks TCP delivers, and the event loop held only while
 * someone waits.
 */

/** The CommonJS `fs` object: a spy set on it reaches ES module imports of `node:fs` after `syncBuiltinESMExports()`. */
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

const open: { close?(): void; destroy?(): void }[] = [];
afterEach(() => {
  for (const item of open.splice(0)) item.close ? item.close() : item.destroy?.();
});

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(payload.byteLength);
  return Buffer.concat([header, payload]);
}

/** A listener without authkey, one accepted connection, and the raw socket at the other end (reading into `received`). */
async function rawPair(): Promise<{ conn: SocketConnection; raw: Socket; received: () => Buffer; arrived: (bytes: number) => Promise<Buffer> }> {
  const listener = await new Listener(['127.0.0.1', 0], { authkey: null }).ready;
  open.push(listener);
  const [host, port] = listener.address as readonly [string, number];
  const raw = connect({ host, port });
  raw.setNoDelay(true);
  open.push(raw);
  const chunks: Buffer[] = [];
  let check = (): void => {};
  raw.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    check();
  });
  const conn = await listener.accept();
  open.push(conn);
  const received = (): Buffer => Buffer.concat(chunks);
  const arrived = (bytes: number): Promise<Buffer> =>
    new Promise((resolve) => {
      check = () => {
        if (received().byteLength >= bytes) resolve(received());
      };
      check();
    });
  return { conn, raw, received, arrived };
}

/** Splits a stream of frames back into payloads (the test's own reader, independent of @mp's). */
function payloads(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < stream.byteLength) {
    const length = stream.readInt32BE(at);
    out.push(stream.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  expect(at).toBe(stream.byteLength);
  return out;
}

const SCALARS: unknown[] = [
  0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53,
  -0, 0.5, -1.25, Math.PI, 1e300, -1e-300, Number.MIN_VALUE, Number.MAX_VALUE, NaN, Infinity, -Infinity,
  '', 'a', 'hello', 'é ÿ \u0000 \u00ff', 'x'.repeat(127), 'x'.repeat(128), 'x'.repeat(4096), 'x'.repeat(4097), 'π two-byte', 'aπ', 'aaπ', '😀', '\ud800 lone',
  true, false, null, undefined,
];

/** Plain data whose v8.serialize form the fast path writes byte for byte. */
const PLAIN: unknown[] = [
  {}, { a: 1 }, [], [1, 'x'], { 0: 1, '1': 2, b: 3 }, { a: { b: [true, null, undefined, 'π', -7] } }, [[[]], {}, [{ k: 'v' }]],
  { '4294967294': 3, '-1': 1, '4294967295': 2, '01': 4, é: 'é', 'π': 'π' }, [0.5, 'mixed', 3], { n: -0, m: NaN },
  Array.from({ length: 300 }, (_, i) => ({ i, s: `item ${i}` })).slice(0, 100),
];

/** Data the fast path leaves to v8.serialize (it must still arrive as structured clone gives it). */
function slowPath(): unknown[] {
  const shared = { s: 1 };
  const cyclic: Record<string, unknown> = { name: 'cyclic' };
  cyclic.self = cyclic;
  const extra = Object.assign([1, 2], { extra: true });
  // eslint-disable-next-line no-sparse-arrays
  const holey = [1, , 3];
  const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
  class Point {
    x: number;
    y: number;
    constructor(x: number, y: number) {
      this.x = x;
      this.y = y;
    }
  }
  const getter = { get g() { return 'got'; } };
  const deep = JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown;
  return [{ a: shared, b: shared }, cyclic, extra, holey, nullProto, new Point(1, 2), getter, deep, new Map([[1, 2]]), new Date(0), 10n, Buffer.from('bytes'), ['\udc00'], JSON.parse('{"__proto__": 1}')];
}

/** Waits until `count` whole frames have arrived and returns their payloads. */
async function nextFrames(arrived: (bytes: number) => Promise<Buffer>, count: number): Promise<Buffer[]> {
  for (let bytes = 4; ; ) {
    const stream = await arrived(bytes);
    let at = 0;
    let whole = 0;
    while (at + 4 <= stream.byteLength && at + 4 + stream.readInt32BE(at) <= stream.byteLength) {
      at += 4 + stream.readInt32BE(at);
      whole++;
    }
    if (whole >= count) return payloads(stream.subarray(0, at));
    bytes = stream.byteLength + 1;
  }
}

describe('plain data on the wire', () => {
  it('each scalar leaves as its v8.serialize form, in a frame of its own, and comes back as itself', { timeout: 20_000 }, async () => {
    const { conn, raw, arrived } = await rawPair();
    for (const value of SCALARS) conn.send(value);
    const sent = await nextFrames(arrived, SCALARS.length);
    expect(sent).toHaveLength(SCALARS.length);
    SCALARS.forEach((value, i) => {
      expect(Object.is(deserialize(sent[i]!), value)).toBe(true);
      // Byte for byte what v8.serialize writes (V8 writes integers outside ±2^30 as Smis or doubles depending on the build: those only decode alike).
      if (typeof value !== 'number' || Math.abs(value) < 2 ** 30) expect([...sent[i]!]).toEqual([...serialize(value)]);
    });
    // The other way: what a peer's v8.serialize wrote is read back exactly.
    raw.write(Buffer.concat(SCALARS.map((value) => frame(serialize(value)))));
    for (const value of SCALARS) expect(Object.is(await conn.recv(), value)).toBe(true);
  });

  it('arrays and plain objects leave as their v8.serialize form and come back equal', { timeout: 20_000 }, async () => {
    const { conn, raw, arrived } = await rawPair();
    for (const value of PLAIN) conn.send(value);
    const sent = await nextFrames(arrived, PLAIN.length);
    PLAIN.forEach((value, i) => {
      expect([...sent[i]!]).toEqual([...serialize(value)]);
      expect(deserialize(sent[i]!)).toStrictEqual(value);
    });
    raw.write(Buffer.concat(PLAIN.map((value) => frame(serialize(value)))));
    for (const value of PLAIN) {
      const got = await conn.recv();
      expect(got).toStrictEqual(value);
      expect([...serialize(got)]).toEqual([...serialize(value)]);
    }
  });

  it('what the fast path declines still arrives as structured clone gives it: sharing, cycles, holes, classes, Maps…', { timeout: 20_000 }, async () => {
    const { conn, raw, arrived } = await rawPair();
    const values = slowPath();
    for (const value of values) conn.send(value);
    const sent = await nextFrames(arrived, values.length);
    values.forEach((value, i) => expect([...sent[i]!]).toEqual([...serialize(value)]));
    raw.write(Buffer.concat(values.map((value) => frame(serialize(value)))));
    const got = [];
    for (const _ of values) got.push(await conn.recv());
    got.forEach((value, i) => expect(value).toStrictEqual(deserialize(serialize(values[i]))));
    const [sharing, cyclic] = got as [{ a: object; b: object }, { self: unknown }];
    expect(sharing.a).toBe(sharing.b);
    expect(cyclic.self).toBe(cyclic);
    const proto = got.at(-1) as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(1);
  });

  it('frames that are not exactly plain data decode as v8.deserialize decodes them, or are BadMessageError', { timeout: 20_000 }, async () => {
    const { conn, raw } = await rawPair();
    const [v0, v1] = [...serialize(0)] as [number, number];
    const forms = [
      [v0, v1, 0x49, 0x02, 0x00], // an int then a trailing byte
      [v0, v1, 0x49, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // a varint longer than 5 bytes
      [v0, v1, 0x49, 0x80], // a varint cut short
      [v0, v1, 0x49, 0xff, 0xff, 0xff, 0xff, 0x7f], // a 5-byte varint beyond 32 bits
      [v0, v1, 0x4e, 1, 2, 3], // a double cut short
      [v0, v1, 0x22, 0x05, 0x61], // a string shorter than its length
      [v0, v1, 0x22, 0x01, 0x61, 0x62], // a string with a trailing byte
      [v0, v1, 0x54, 0x54], // true, twice
      [v0, 0x0e, 0x49, 0x02], // an older format version
      [0xfe, v1, 0x49, 0x02], // not a v8 header
      [v0, v1], // a header alone
      [v0, v1, 0x6f, 0x7b, 0x00], // an empty object
      [v0, v1, 0x6f, 0x22, 0x01, 0x61, 0x49, 0x02, 0x7b, 0x05], // an object whose count is wrong
      [v0, v1, 0x6f, 0x54, 0x49, 0x02, 0x7b, 0x01], // an object with a key that is not a string or number
      [v0, v1, 0x6f, 0x22, 0x01, 0x61, 0x49, 0x02], // an object without its end
      [v0, v1, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x49, 0x02], // an array claiming 4 billion elements
      [v0, v1, 0x41, 0x02, 0x49, 0x02, 0x24, 0x00, 0x02], // an array shorter than its length
      [v0, v1, 0x41, 0x01, 0x49, 0x02, 0x24, 0x00, 0x05], // an array whose end says another length
      [v0, v1, 0x41, 0x01, 0x49, 0x02, 0x22, 0x01, 0x78, 0x49, 0x02, 0x24, 0x01, 0x01], // an array with an extra property
      [v0, v1, 0x41, 0x01, 0x5e, 0x00, 0x24, 0x00, 0x01], // a back-reference to an object not seen
      [v0, v1, 0x63, 0x03, 0x61, 0x00, 0x62], // a two-byte string of an odd length
      [v0, v1, 0x00, 0x00, 0x63, 0x02, 0x3c, 0x04], // padding, then a two-byte string
      [v0, v1, ...Array<number>(5000).fill(0x41).flatMap(() => [0x41, 0x01])], // nesting deeper than any limit, cut short
      [v0, v1, 0x6f, 0x22, 0x09, ...Buffer.from('__proto__'), 0x6f, 0x22, 0x01, 0x78, 0x54, 0x7b, 0x01, 0x7b, 0x01], // a __proto__ key
    ].map((bytes) => Buffer.from(bytes));
    raw.write(Buffer.concat([...forms.map(frame), frame(serialize('after'))]));
    for (const form of forms) {
      let expected: { value: unknown } | 'error';
      try {
        expected = { value: deserialize(form) };
      } catch {
        expected = 'error';
      }
      const got = await conn.recv().then(
        (value) => ({ value }),
        (error: unknown) => error,
      );
      if (expected === 'error') expect(got).toBeInstanceOf(BadMessageError);
      else {
        expect(got).toStrictEqual(expected);
        const value = (got as { value: unknown }).value;
        if (typeof value === 'object' && value !== null) expect(Object.getPrototypeOf(value)).toBe(Object.getPrototypeOf(expected.value));
      }
    }
    // The stream is still in step.
    expect(await conn.recv()).toBe('after');
  });
});

describe('frames on the wire', () => {
  it('a small frame leaves in one piece: one write, header and payload in the first chunk the peer reads', { timeout: 20_000 }, async () => {
    const { conn, arrived } = await rawPair();
    // A frame goes straight to the socket's descriptor when nothing waits before it, else through the stream.
    const streamWrites = vi.spyOn(Socket.prototype, 'write');
    const directWrites = vi.spyOn(fs, 'writeSync');
    syncBuiltinESMExports(); // the spy reaches the `import { writeSync } from 'node:fs'` of the package
    const writes = (): number => streamWrites.mock.calls.length + directWrites.mock.calls.length;
    try {
      conn.send({ some: 'object', n: [1, 2, 3] });
      expect(writes()).toBe(1);
      conn.sendBytes(Buffer.alloc(1000, 1));
      expect(writes()).toBe(2);
    } finally {
      streamWrites.mockRestore();
      directWrites.mockRestore();
      syncBuiltinESMExports();
    }
    const first = await arrived(1);
    // The first read holds at least the whole first frame (the kernel may have joined the second to it).
    expect(first.byteLength).toBeGreaterThanOrEqual(4 + first.readInt32BE(0));
    const both = payloads(await arrived(4 + serialize({ some: 'object', n: [1, 2, 3] }).byteLength + 4 + 1000));
    expect(deserialize(both[0]!)).toEqual({ some: 'object', n: [1, 2, 3] });
    expect(both[1]!.equals(Buffer.alloc(1000, 1))).toBe(true);
  });

  it('frames split anywhere across TCP segments, and many per segment, arrive whole and in order', { timeout: 30_000 }, async () => {
    const { conn, raw } = await rawPair();
    const values: unknown[] = [7, 'split', { a: [1, 2, 3] }, -123456, 'x'.repeat(300), null, 2.5, Buffer.alloc(70_000, 3)];
    const stream = Buffer.concat(values.map((value) => frame(serialize(value))));
    // One byte per write for the first 64 bytes, then uneven pieces, each handed to the kernel before the next.
    const pending = Promise.all(values.map(() => conn.recv()));
    let at = 0;
    let piece = 1;
    while (at < stream.byteLength) {
      const end = Math.min(stream.byteLength, at + (at < 64 ? 1 : piece));
      await new Promise<void>((resolve) => raw.write(stream.subarray(at, end), () => resolve()));
      at = end;
      piece = (piece * 7 + 5) % 5003;
    }
    const got = await pending;
    expect(got.slice(0, -1)).toEqual(values.slice(0, -1));
    expect(Buffer.from(got.at(-1) as Uint8Array).equals(values.at(-1) as Buffer)).toBe(true);
  });

  it('pending receives: several settle in call order; a close on this side rejects with ClosedError, the peer closing with EOFError', { timeout: 20_000 }, async () => {
    const { conn, raw } = await rawPair();
    const first = conn.recv();
    const second = conn.recv();
    const third = conn.recv();
    raw.write(Buffer.concat([frame(serialize('one')), frame(serialize({ two: 2 }))]));
    expect(await first).toBe('one');
    expect(await second).toEqual({ two: 2 });
    raw.end(frame(serialize(3)));
    expect(await third).toBe(3);
    await expect(conn.recv()).rejects.toBeInstanceOf(EOFError);

    const other = await rawPair();
    const pending = other.conn.recv();
    const bytes = other.conn.recvBytes();
    other.conn.close();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await expect(bytes).rejects.toBeInstanceOf(ClosedError);
  });

  it('large frames (past the one-buffer size) keep their bytes, both ways', { timeout: 30_000 }, async () => {
    const listener = await new Listener(['127.0.0.1', 0], { authkey: null }).ready;
    open.push(listener);
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey: null })]);
    open.push(server, client);
    for (const size of [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 3 * 1024 * 1024]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31) & 0xff;
      client.sendBytes(bytes);
      server.send({ size, tail: [...bytes.subarray(-8)] });
      const [echoed, meta] = await Promise.all([server.recvBytes(), client.recv()]);
      expect(Buffer.from(echoed).equals(bytes)).toBe(true);
      expect(meta).toEqual({ size, tail: [...bytes.subarray(-8)] });
    }
  });

  it('sendBytes takes the bytes as they are at the call: the caller may reuse its buffer while they still wait to leave', { timeout: 30_000 }, async () => {
    const listener = await new Listener(['127.0.0.1', 0], { authkey: null }).ready;
    open.push(listener);
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey: null })]);
    open.push(server, client);
    // 32 MiB sent before the peer reads any: far more than the kernel takes at once, so most of it waits in Node.
    const reused = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 32; i++) {
      reused.fill(i);
      client.sendBytes(reused);
    }
    reused.fill(0xff);
    for (let i = 0; i < 32; i++) {
      const bytes = Buffer.from(await server.recvBytes());
      expect(bytes.byteLength).toBe(reused.byteLength);
      expect([bytes[0], bytes[bytes.byteLength - 1]]).toEqual([i, i]);
    }
  });

  it('a pending recv keeps a program alive; an idle open connection does not', { timeout: 30_000 }, async () => {
    const server = await new Listener(['127.0.0.1', 0], { authkey: null }).ready;
    open.push(server);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/programs/socket-keep-alive.mjs', import.meta.url)), JSON.stringify(server.address)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    let stdout = '';
    const waiting = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        if (stdout.includes('waiting\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const conn = await server.accept();
    open.push(conn);
    await waiting;
    // Its recv() waits: give its event loop time to find nothing else to do (it would exit with code 13).
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('alive'), 500))]);
    expect(early).toBe('alive');
    conn.send({ hi: 1 });
    expect(await conn.recv()).toBe('bye');
    // It now leaves its connection open and idle: it must exit by itself, not be killed by the guard.
    expect(await exited).toBe(0);
    clearTimeout(guard);
    expect(stdout).toBe('waiting\ngot {"hi":1}\n');
  });
});

describe.each(['thread', 'process'] as StartMethod[])('a child echoing (%s)', (method) => {
  it('thousands of small messages, objects and bytes, pipelined both ways, keep their order', { timeout: 60_000 }, async () => {
    const listener = await new Listener(['127.0.0.1', 0]).ready;
    open.push(listener);
    const p = new Process({ target: ref(new URL('./fixtures/socket-echo.ts', import.meta.url), 'echoAll'), args: [listener.address], context: method });
    p.start();
    const conn = await listener.accept();
    open.push(conn);
    const n = 5000;
    const message = (i: number): unknown => (i % 5 === 0 ? { i, s: `m${i}` } : i % 5 === 1 ? `s${i}` : i % 5 === 2 ? [i, -i] : i % 5 === 3 ? i * 0.5 : i);
    // Send in bursts of 100 without waiting, then take the echoes: many frames per TCP segment, both ways.
    for (let start = 0; start < n; start += 100) {
      for (let i = start; i < start + 100; i++) {
        if (i % 17 === 0) {
          conn.send('bytes');
          conn.sendBytes(Buffer.from(`b${i}`));
        } else {
          conn.send(message(i));
        }
      }
      for (let i = start; i < start + 100; i++) {
        if (i % 17 === 0) expect(Buffer.from(await conn.recvBytes()).toString()).toBe(`b${i}`);
        else expect(await conn.recv()).toEqual(message(i));
      }
    }
    conn.send('stop');
    expect(await conn.recv()).toEqual({ count: n });
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});

describe('a plain server', () => {
  it('a Client writes each small frame as one buffer to a server that is not @mp', { timeout: 20_000 }, async () => {
    const chunks: Buffer[] = [];
    let seen: (() => void) | undefined;
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        seen?.();
      });
    });
    open.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const client = await Client(['127.0.0.1', port], { authkey: null });
    open.push(client);
    const first = new Promise<void>((resolve) => (seen = resolve));
    client.send('one frame');
    await first;
    expect(chunks[0]!.readInt32BE(0)).toBe(chunks[0]!.byteLength - 4);
    expect(deserialize(chunks[0]!.subarray(4))).toBe('one frame');
  });
});
