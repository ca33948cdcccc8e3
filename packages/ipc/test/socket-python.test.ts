import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, Client, Listener } from '@mp/ipc';

// CPython's own Listener/Client on the other end: the frames and the authkey handshake are its
// protocol (Python ≤ 3.11 answers with HMAC-MD5, 3.12+ with {sha256}). Skipped without python3.
const hasPython = spawnSync('python3', ['-c', 'import multiprocessing.connection'], { stdio: 'ignore' }).status === 0;
const PEER = fileURLToPath(new URL('./fixtures/programs/python-peer.py', import.meta.url));
const KEY = Buffer.from('shared with python');

function python(args: string[]): { out: Promise<string>; firstLine: Promise<string>; done: Promise<number | null> } {
  const child = spawn('python3', [PEER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const firstLine = new Promise<string>((resolve) => child.stdout.once('data', (chunk) => resolve(String(chunk).split('\n')[0]!)));
  child.stdout.on('data', (chunk) => (out += chunk));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { out: done.then(() => out), firstLine, done };
}

describe.skipIf(!hasPython)('with a CPython peer', () => {
  it('our Client talks to a Python Listener', { timeout: 30_000 }, async () => {
    const peer = python(['listen', KEY.toString('hex')]);
    const port = Number(await peer.firstLine);
    const conn = await Client(['127.0.0.1', port], { authkey: KEY });
    conn.sendBytes(Buffer.from('hello python'));
    expect(Buffer.from(await conn.recvBytes()).toString()).toBe('HELLO PYTHON');
    conn.close();
    expect(await peer.done).toBe(0);
  });

  it('a Python Client talks to our Listener', { timeout: 30_000 }, async () => {
    const listener = await new Listener(['127.0.0.1', 0], { authkey: KEY }).ready;
    try {
      const peer = python(['client', KEY.toString('hex'), String((listener.address as readonly [string, number])[1])]);
      const conn = await listener.accept();
      const got = Buffer.from(await conn.recvBytes()).toString();
      expect(got).toBe('from python');
      conn.sendBytes(Buffer.from(`${got} back`));
      expect((await peer.out).trim()).toBe('from python back');
      conn.close();
    } finally {
      listener.close();
    }
  });

  it('a wrong key is refused on both sides', { timeout: 30_000 }, async () => {
    const peer = python(['listen', KEY.toString('hex')]);
    const port = Number(await peer.firstLine);
    await expect(Client(['127.0.0.1', port], { authkey: Buffer.from('wrong') })).rejects.toBeInstanceOf(AuthenticationError);
    expect((await peer.out).trim().split('\n').at(-1)).toBe('AuthenticationError');
    expect(await peer.done).toBe(3);
  });
});
