import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { currentProcess, Process, ref, type StartMethod } from '@mp/core';
import {
  AuthenticationError,
  BadMessageLengthError,
  BrokenPipeError,
  Client,
  ClosedError,
  EOFError,
  Listener,
  Pipe,
  Queue,
  SocketConnection,
  type Address,
} from '@mp/ipc';

const KEY = Buffer.from('secret password');
const open: { close(): void }[] = [];
afterEach(() => {
  for (const item of open.splice(0)) item.close();
});

async function listen(address: Address | undefined, options?: ConstructorParameters<typeof Listener>[1]): Promise<Listener> {
  const listener = await new Listener(address, options).ready;
  open.push(listener);
  return listener;
}

async function pair(listener: Listener, authkey: Uint8Array | null = KEY): Promise<[SocketConnection, SocketConnection]> {
  const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey })]);
  open.push(server, client);
  return [server, client];
}

/** Runs a plain `node` program (not started by @mp) and collects its exit code and output. */
function runProgram(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('Listener / Client', () => {
  it('TCP with port 0: the chosen address, messages and bytes both ways, poll, EOF', { timeout: 20_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const address = listener.address as readonly [string, number];
    expect(address[0]).toBe('127.0.0.1');
    expect(address[1]).toBeGreaterThan(0);
    const [server, client] = await pair(listener);
    expect(listener.lastAccepted).toEqual([expect.any(String), expect.any(Number)]);

    expect(await server.poll(0)).toBe(false);
    client.send({ hello: 'world', list: [1, 2, 3], when: new Date(0), big: 2n ** 70n });
    expect(await server.poll(5_000)).toBe(true);
    expect(await server.recv()).toEqual({ hello: 'world', list: [1, 2, 3], when: new Date(0), big: 2n ** 70n });

    server.sendBytes(new TextEncoder().encode('abcdef'), 2, 3);
    server.sendBytes(new Uint8Array(0));
    expect(new TextDecoder().decode(await client.recvBytes())).toBe('cde');
    expect((await client.recvBytes()).byteLength).toBe(0);

    // A message longer than maxLength stays unread.
    client.sendBytes(new Uint8Array(10));
    await expect(server.recvBytes(4)).rejects.toBeInstanceOf(BadMessageLengthError);
    expect((await server.recvBytes(10)).byteLength).toBe(10);

    // A large message crosses intact.
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.byteLength; i += 4096) big[i] = i % 251;
    client.send(big);
    const received = (await server.recv()) as Uint8Array;
    expect(Buffer.compare(Buffer.from(received.buffer, received.byteOffset, received.byteLength), big)).toBe(0);

    client.close();
    expect(await server.poll(5_000)).toBe(true); // EOF is "ready"
    await expect(server.recv()).rejects.toBeInstanceOf(EOFError);
    expect(() => server.send('nobody listens')).toThrow(BrokenPipeError);
    await expect(client.recv()).rejects.toBeInstanceOf(ClosedError);
    expect(() => client.send(1)).toThrow(ClosedError);
  });

  it('Unix socket by path, and a default address', { timeout: 20_000 }, async () => {
    const listener = await listen(undefined, { authkey: KEY });
    expect(typeof listener.address).toBe('string');
    const [server, client] = await pair(listener);
    client.send('over a unix socket');
    expect(await server.recv()).toBe('over a unix socket');
    server.send(42);
    expect(await client.recv()).toBe(42);
  });

  it('a wrong authkey is an AuthenticationError on both sides, and nothing is delivered', { timeout: 20_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const accepted = listener.accept();
    const client = Client(listener.address, { authkey: Buffer.from('another key') });
    await expect(accepted).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client).rejects.toThrow(/rejected/);
    // The listener goes on: the next client with the right key gets in.
    const [server, good] = await pair(listener);
    good.send('ok');
    expect(await server.recv()).toBe('ok');
  });

  it('defaults to currentProcess().authkey on both sides; a program without it is refused', { timeout: 30_000 }, async () => {
    expect(currentProcess().authkey.byteLength).toBe(32);
    const listener = await listen(['127.0.0.1', 0]);
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address)]);
    open.push(server, client);
    client.send('same program, same key');
    expect(await server.recv()).toBe('same program, same key');

    // Another program has another random key: refused.
    const outsider = runProgram('./fixtures/programs/socket-client.mjs', [JSON.stringify(listener.address), 'none']);
    await expect(listener.accept()).rejects.toBeInstanceOf(AuthenticationError);
    expect((await outsider).code).toBe(3);
  });

  it('talks to an unrelated Node program started by hand', { timeout: 30_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const program = runProgram('./fixtures/programs/socket-client.mjs', [JSON.stringify(listener.address), KEY.toString('hex')]);
    const conn = await listener.accept();
    open.push(conn);
    conn.send({ n: 21 });
    expect(await conn.recv()).toEqual({ doubled: 42, from: 'plain node' });
    expect(Buffer.from(await conn.recvBytes()).toString()).toBe('raw bytes');
    await expect(conn.recv()).rejects.toBeInstanceOf(EOFError);
    expect(await program).toEqual({ code: 0, stdout: '' });
  });

  it('refuses to send shared @mp objects, naming where they are', { timeout: 20_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const [, client] = await pair(listener);
    const q = new Queue();
    const [a, b] = Pipe();
    try {
      expect(() => client.send({ jobs: [1, q] })).toThrow(expect.objectContaining({ name: 'DataCloneError', message: expect.stringContaining('obj.jobs[1]') }));
      expect(() => client.send(new Map([['pipe', a]]))).toThrow(/DataCloneError|shared @mp object/);
      expect(() => client.send(() => 1)).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    } finally {
      q.close();
      a.close();
      b.close();
    }
  });

  it('checks its arguments', () => {
    expect(() => new Listener(['127.0.0.1', 70_000] as never)).toThrow(TypeError);
    expect(() => new Listener(['127.0.0.1', 0], { authkey: 'text' as never })).toThrow(/Uint8Array/);
    expect(() => new Listener(['127.0.0.1', 0], { colour: 1 } as never)).toThrow(TypeError);
    expect(() => new Listener('/tmp/x', { family: 'AF_INET' })).toThrow(/family/);
    expect(() => new SocketConnection()).toThrow(/Listener.accept\(\) and Client\(\)/);
  });

  it('reports a listening error through ready and accept', { timeout: 20_000 }, async () => {
    const first = await listen(['127.0.0.1', 0], { authkey: KEY });
    const second = new Listener(first.address, { authkey: KEY });
    open.push(second);
    await expect(second.ready).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(second.accept()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('close() rejects a pending accept() with ClosedError', { timeout: 20_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const pending = listener.accept();
    listener.close();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
  });
});

describe.each(['thread', 'process'] as StartMethod[])('children inherit the authkey (%s)', (method) => {
  it('a child connects with the default key', { timeout: 30_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0]);
    const p = new Process({ target: ref(new URL('./fixtures/socket-peers.ts', import.meta.url), 'connectWithDefaultKey'), args: [listener.address], context: method });
    p.start();
    const conn = await listener.accept();
    open.push(conn);
    expect(await conn.recv()).toBe('hello from a child');
    conn.send(21);
    expect(await conn.recv()).toBe(42);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it("a child has its parent's authkey, or the one set on its Process object before start()", { timeout: 30_000 }, async () => {
    const target = ref(new URL('./fixtures/authkey.ts', import.meta.url), 'sendAuthkey');
    for (const chosen of [undefined, Buffer.alloc(16, 9)]) {
      const [a, b] = Pipe<Uint8Array>();
      const p = new Process({ target, args: [b], context: method });
      expect([...p.authkey]).toEqual([...currentProcess().authkey]);
      if (chosen) p.authkey = chosen;
      p.start();
      b.close();
      expect([...(await a.recv())]).toEqual([...(chosen ?? currentProcess().authkey)]);
      a.close();
      await p.join();
    }
    expect(() => (currentProcess().authkey = 'text' as never)).toThrow(/Uint8Array/);
  });

  it('a socket connection cannot be passed to a child', { timeout: 20_000 }, async () => {
    const listener = await listen(['127.0.0.1', 0], { authkey: KEY });
    const [server] = await pair(listener);
    const p = new Process({ target: ref(new URL('./fixtures/socket-peers.ts', import.meta.url), 'endWhenTold'), args: [server], context: method });
    expect(() => p.start()).toThrow(/cannot be sent to another process/);
  });
});
