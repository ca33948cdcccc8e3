import { EOFError, Pipe, Queue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { elapsed, joinAll, start } from './helpers.ts';

const encoder = new TextEncoder();
const latin = (text: string): Uint8Array => encoder.encode(text);
const SENTINEL = new Uint8Array(0);

describe.each(['thread', 'process'] as const)('Pipe between the parent and %s children', (method) => {
  it('echo child: objects, bytes, poll, a 16 MiB message, then EOF (CPython test_connection)', async () => {
    const [conn, childConn] = Pipe();
    const p = start('pipe-peers', 'echoBytes', [childConn], method);
    const seq = [1, 2.25, null];
    const msg = latin('hello world');
    // The child echoes bytes: an object comes back as its v8.serialize form, which recv() decodes.
    conn.send(seq);
    expect(await conn.recv()).toEqual(seq);
    conn.sendBytes(msg);
    expect(await conn.recvBytes()).toEqual(msg);
    expect(conn.pollSync()).toBe(false);
    const waited = await elapsed(async () => expect(await conn.poll(100)).toBe(false));
    expect(waited).toBeGreaterThanOrEqual(100);
    conn.send(null);
    expect(await conn.poll(10_000)).toBe(true);
    expect(await conn.recv()).toBe(null);
    const reallyBig = new Uint8Array(16 * 1024 * 1024).fill('X'.charCodeAt(0));
    conn.sendBytes(reallyBig);
    expect(Buffer.compare(await conn.recvBytes(), reallyBig)).toBe(0);
    conn.sendBytes(SENTINEL); // tell the child to quit; it closes its copy
    childConn.close();
    expect(conn.readable).toBe(true);
    expect(conn.writable).toBe(true);
    await expect(conn.recv()).rejects.toThrow(EOFError);
    await expect(conn.recvBytes()).rejects.toThrow(EOFError);
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);

  it('the parent may close its copy right after start() (CPython test_spawn_close)', async () => {
    const [conn, childConn] = Pipe();
    const p = start('pipe-peers', 'echoBytes', [childConn], method);
    childConn.close(); // this might complete before the child revives its copy
    conn.sendBytes(latin('hello'));
    expect(conn.recvBytesSync()).toEqual(latin('hello'));
    conn.sendBytes(SENTINEL);
    await expect(conn.recv()).rejects.toThrow(EOFError);
    conn.close();
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);

  it.each(method === 'thread' ? ['echo', 'echoAsync'] : ['echo'])('the child running %s answers in order; the parent receives sync and async', async (name) => {
    const [conn, childConn] = Pipe();
    const p = start('pipe-peers', name, [childConn], method);
    childConn.close();
    for (let i = 0; i < 200; i++) conn.send({ i, text: `message ${i}` });
    for (let i = 0; i < 100; i++) expect(conn.recvSync()).toEqual({ i, text: `message ${i}` });
    for (let i = 100; i < 200; i++) expect(await conn.recv()).toEqual({ i, text: `message ${i}` });
    conn.send(null);
    // The child returned without closing its copy: its exit closes it.
    await expect(conn.recv()).rejects.toThrow(EOFError);
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);

  it('EOF when the child holding the other end exits without closing it', async () => {
    const [conn, childConn] = Pipe<string>();
    const p = start('pipe-peers', 'sendReadyAndExit', [childConn], method);
    childConn.close();
    expect(await conn.recv()).toBe('ready');
    await expect(conn.recv()).rejects.toThrow(EOFError);
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);

  it.each(['kill', 'terminate'] as const)('EOF when the child holding the other end is killed (%s) while it waits', async (how) => {
    const [conn, childConn] = Pipe<string>();
    const p = start('pipe-peers', 'sendReadyAndBlock', [childConn], method);
    childConn.close();
    expect(await conn.recv()).toBe('ready');
    const pending = conn.recv();
    p[how]();
    await expect(pending).rejects.toThrow(EOFError);
    await p.join();
    expect(p.exitCode).toBe(how === 'kill' ? -9 : -15);
  }, 30_000);

  it('no EOF while another copy of the other end is open in a child', async () => {
    const [conn, other] = Pipe<unknown>();
    const report = new Queue<unknown>();
    const reader = start('pipe-peers', 'readUntilEof', [conn, report], method);
    // The other kind of child: any mix of threads and processes.
    const sender = start('pipe-peers', 'sendAll', [other, ['from child']], method === 'thread' ? 'process' : 'thread');
    expect(await report.get()).toBe('from child');
    await joinAll([sender]);
    // The parent's copy of `other` is still open: the reader must not see EOF.
    other.send('from parent');
    expect(await report.get()).toBe('from parent');
    other.close();
    expect(await report.get()).toBe('eof');
    expect(await joinAll([reader])).toEqual([0]);
  }, 30_000);

  it.skipIf(method === 'process')('a one-way pipe to a child: EOF for the child when the parent closes the writer', async () => {
    const [reader, writer] = Pipe<unknown>(false);
    const report = new Queue<unknown>();
    const p = start('pipe-peers', 'readUntilEof', [reader, report], method);
    reader.close();
    writer.send(1);
    writer.send({ two: 2 });
    writer.close();
    expect(await report.get()).toBe(1);
    expect(await report.get()).toEqual({ two: 2 });
    expect(await report.get()).toBe('eof');
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);

  it('connections sent over a connection work in the child (CPython child_access)', async () => {
    const [conn, childConn] = Pipe<unknown>();
    const p = start('nested', 'connectionOverConnection', [childConn], method);
    childConn.close();
    const [r, w] = Pipe<string>(false);
    conn.send(w);
    w.close();
    expect(await r.recv()).toBe('all is well');
    await expect(r.recv()).rejects.toThrow(EOFError);
    const [r2, w2] = Pipe<string>(false);
    conn.send(r2);
    r2.close();
    w2.send('this is a message');
    expect(await conn.recv()).toBe('THIS IS A MESSAGE');
    expect(await joinAll([p])).toEqual([0]);
    await expect(conn.recv()).rejects.toThrow(EOFError);
    expect(() => w2.send('nobody left')).toThrow(/Broken pipe/);
  }, 30_000);

  it('the tutorial’s two-process conversation', async () => {
    const [a, b] = Pipe<string>();
    const report = new Queue<unknown>();
    // Both ends in children; the parent keeps its copies open, as the tutorial does.
    const p1 = start('pipe-peers', 'sendAll', [a, ['pipe1']], method);
    const p2 = start('pipe-peers', 'readUntilEof', [b, report], method);
    expect(await report.get()).toBe('pipe1');
    a.close();
    expect(await report.get()).toBe('eof');
    expect(await joinAll([p1, p2])).toEqual([0, 0]);
  }, 30_000);

  it.skipIf(method === 'process')('many messages each way with a child spinning on recvSync()', async () => {
    const [conn, childConn] = Pipe<number | null>();
    const p = start('pipe-peers', 'echo', [childConn], method);
    for (let i = 0; i < 5_000; i++) {
      conn.send(i);
      expect(conn.recvSync()).toBe(i);
    }
    conn.send(null);
    expect(await joinAll([p])).toEqual([0]);
  }, 30_000);
});
