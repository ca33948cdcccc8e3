import { describe, expect, it } from 'vitest';
import { Process, ref, type StartMethod } from '@mp/core';
import { Client, EOFError, Listener, Pipe, Queue, SimpleQueue, wait, waitSync } from '@mp/ipc';

const PEERS = new URL('./fixtures/socket-peers.ts', import.meta.url);

function start(name: string, args: unknown[], method: StartMethod): Process {
  const p = new Process({ target: ref(PEERS, name), args, context: method });
  p.start();
  return p;
}

describe.each(['thread', 'process'] as StartMethod[])('wait (%s)', (method) => {
  it('returns a pipe connection once a child sends, and at EOF', { timeout: 30_000 }, async () => {
    const [a, b] = Pipe();
    const [go, goChild] = Pipe();
    const idle = Pipe();
    const p = start('sendWhenTold', [goChild, b, 'from the child'], method);
    b.close();
    goChild.close();
    try {
      expect(await wait([a, idle[0]], 0)).toEqual([]);
      go.send('go');
      expect(await wait([idle[0], a], 20_000)).toEqual([a]);
      expect(await a.recv()).toBe('from the child');
      await p.join();
      // Every copy of the other end is closed: EOF is "ready" too.
      expect(await wait([a], 20_000)).toEqual([a]);
      await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    } finally {
      for (const conn of [a, go, ...idle]) conn.close();
    }
  });

  it('returns a queue once a child puts an item', { timeout: 30_000 }, async () => {
    const q = new Queue<string>();
    const [go, goChild] = Pipe();
    const p = start('putWhenTold', [goChild, q, 'item'], method);
    goChild.close();
    try {
      expect(await wait([q], 0)).toEqual([]);
      go.send('go');
      expect(await wait([q], 20_000)).toEqual([q]);
      expect(await q.get()).toBe('item');
      await p.join();
    } finally {
      go.close();
      q.close();
    }
  });

  it('returns a sentinel once its process has ended, beside a connection that stays quiet', { timeout: 30_000 }, async () => {
    const [go, goChild] = Pipe();
    const [quiet, quietPeer] = Pipe();
    const p = start('endWhenTold', [goChild], method);
    goChild.close();
    try {
      expect(await wait([p.sentinel, quiet], 0)).toEqual([]);
      go.send('go');
      expect(await wait([quiet, p.sentinel], 20_000)).toEqual([p.sentinel]);
      await p.join();
      expect(p.exitCode).toBe(0);
    } finally {
      for (const conn of [go, quiet, quietPeer]) conn.close();
    }
  });

  it('waitSync sees a process end and a message arrive with the event loop blocked', { timeout: 30_000 }, async () => {
    const [go, goChild] = Pipe();
    const p = start('endWhenTold', [goChild], method);
    goChild.close();
    const [a, b] = Pipe();
    const [go2, go2Child] = Pipe();
    const sender = start('sendWhenTold', [go2Child, b, 'sync'], method);
    b.close();
    go2Child.close();
    try {
      expect(waitSync([p.sentinel, a], 0)).toEqual([]);
      go.send('go');
      expect(waitSync([p.sentinel, a], 20_000)).toEqual([p.sentinel]);
      go2.send('go');
      expect(waitSync([a], 20_000)).toEqual([a]);
      expect(a.recvSync()).toBe('sync');
      await Promise.all([p.join(), sender.join()]);
    } finally {
      for (const conn of [go, go2, a]) conn.close();
    }
  });
});

describe('wait', () => {
  it('waits its whole timeout when nothing is ready', { timeout: 20_000 }, async () => {
    const [a, b] = Pipe();
    const q = new SimpleQueue();
    try {
      let start = performance.now();
      expect(await wait([a, q], 60)).toEqual([]);
      expect(performance.now() - start).toBeGreaterThanOrEqual(59);
      start = performance.now();
      expect(waitSync([a, q], 60)).toEqual([]);
      expect(performance.now() - start).toBeGreaterThanOrEqual(59);
      q.put(1);
      expect(await wait([a, q])).toEqual([q]);
      expect(waitSync([a, q])).toEqual([q]);
    } finally {
      a.close();
      b.close();
      q.close();
    }
  });

  it('waits for socket connections (async only)', { timeout: 20_000 }, async () => {
    const authkey = Buffer.from('k');
    const listener = await new Listener(['127.0.0.1', 0], { authkey }).ready;
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey })]);
    try {
      expect(await wait([server], 0)).toEqual([]);
      const pending = wait([server]);
      client.send('ping');
      expect(await pending).toEqual([server]);
      expect(() => waitSync([server])).toThrow(/waitSync\(\) cannot wait for it|event loop/);
    } finally {
      server.close();
      client.close();
      listener.close();
    }
  });

  it('names what it cannot wait for', async () => {
    await expect(wait([{} as never])).rejects.toThrow(/objects\[0\]/);
    expect(() => waitSync([1 as never])).toThrow(/objects\[0\]/);
    const p = new Process({ target: ref(PEERS, 'endWhenTold') });
    expect(() => p.sentinel).toThrow(/not started/);
  });
});
