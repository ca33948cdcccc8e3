import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ref, type StartMethod } from '@mp/core';
import { AuthenticationError, Client } from '@mp/ipc';
import { BaseManager, Manager, ManagerStateError, RemoteError, SyncManager, type AutoProxy } from '@mp/managers';
import type { Counter } from './fixtures/types.ts';
import { eventually, isGone } from './helpers.ts';

const run = promisify(execFile);
const TYPES = new URL('./fixtures/types.ts', import.meta.url);
const PROGRAMS = new URL('./fixtures/programs/', import.meta.url);

class CounterManager extends BaseManager {}
CounterManager.register('Counter', ref(TYPES, 'Counter'));
CounterManager.register('getBoard', ref(TYPES, 'getBoard'));

describe.each(['thread', 'process'] as StartMethod[])('BaseManager (%s)', (context) => {
  it('serves a registered type: its public methods only, errors with the remote stack', async () => {
    await using manager = await new CounterManager({ context }).start();
    const counter = await manager.create<Counter>('Counter', 10);
    expect(await counter.increment(5)).toBe(15);
    expect(await counter.value()).toBe(15);
    expect(counter.exposed).toEqual(expect.arrayContaining(['increment', 'value', 'fail']));
    expect(counter.exposed).not.toContain('_hidden');
    const error = (await counter.fail().catch((e: unknown) => e)) as RemoteError;
    expect(error.remoteName).toBe('RangeError');
    expect(error.remoteStack).toMatch(/types\.ts/);
    await expect(counter.callMethod('_hidden')).rejects.toMatchObject({ remoteName: 'AttributeError' });
  });

  it('answers hostile requests with errors, and loads nothing a client names', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'mp-evil-')), 'loaded');
    process.env['MP_EVIL_MARKER'] = marker;
    await using manager = await Manager({ context });
    const d = await manager.dict();
    const conn = await Client(manager.address, { authkey: manager.authkey });
    const none = { value: [], shared: false };
    const ask = async (message: Record<string, unknown>): Promise<{ ok: boolean; error?: { name: string } }> => {
      conn.send(message);
      return (await conn.recv()) as { ok: boolean; error?: { name: string } };
    };
    for (const method of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '__defineGetter__', 42]) {
      expect(await ask({ op: 'call', rid: 1, id: d.id, method, args: none })).toMatchObject({ ok: false, error: { name: 'AttributeError' } });
    }
    expect(await ask({ op: 'create', rid: 2, typeid: 'Counter', args: none })).toMatchObject({ ok: false, error: { name: 'KeyError' } });
    expect(await ask({ op: 'create', rid: 3, typeid: '__proto__', args: none })).toMatchObject({ ok: false, error: { name: 'KeyError' } });
    expect(await ask({ op: 'call', rid: 4, id: 99_999, method: 'get', args: none })).toMatchObject({ ok: false, error: { name: 'KeyError' } });
    const evil = { value: [{}], shared: { objects: [{}], states: [{ type: 'evil.Type', module: new URL('evil.mjs', PROGRAMS).href, state: {} }] } };
    evil.shared.objects[0] = evil.value[0]!;
    expect(await ask({ op: 'call', rid: 5, id: d.id, method: 'set', args: evil })).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    expect(await ask({ op: 'nonsense', rid: 6 })).toMatchObject({ ok: false, error: { name: 'TypeError' } });
    expect(existsSync(marker)).toBe(false);
    // Bytes that are not a message end that client's connection, and only it.
    conn.sendBytes(new Uint8Array([1, 2, 3, 4]));
    await expect(conn.recv()).rejects.toThrow(/EOF/);
    await d.set('still', 'serving');
    expect(await d.get('still')).toBe('serving');
  });

  it('refuses a client with another authkey', async () => {
    await using manager = await Manager({ context });
    await expect(new BaseManager({ address: manager.address, authkey: Buffer.from('wrong key') }).connect()).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('other programs', () => {
  it('lets an unrelated Node program connect by address and authkey, and shut the server down', async () => {
    const authkey = Buffer.from('a key for another program');
    const manager = new CounterManager({ address: ['127.0.0.1', 0], authkey });
    const server = await manager.getServer().ready;
    const serving = server.serveForever();
    const local = await new CounterManager({ address: server.address, authkey }).connect();
    const board = (await local.create('getBoard')) as AutoProxy<{ get(k: string): unknown; set(k: string, v: unknown): void }>;
    await board.set('greeting', 'hello');
    const { stdout } = await run(process.execPath, [new URL('connect.mjs', PROGRAMS).pathname, JSON.stringify([server.address, authkey.toString('hex')])], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toBe('hello');
    expect(await board.get('from')).toBe('another program');
    await local.shutdown();
    server.shutdown();
    await serving;
  });

  it('a proxy whose manager went away fails with ManagerStateError, then reaches a new server at the same address', async () => {
    const authkey = Buffer.from('a key for a restarted server');
    const first = await new SyncManager({ address: ['127.0.0.1', 0], authkey }).getServer().ready;
    const servingFirst = first.serveForever();
    const manager = await new SyncManager({ address: first.address, authkey }).connect();
    const d = await manager.dict();
    await d.set('a', 1);
    first.shutdown();
    await servingFirst;
    await expect(d.get('a')).rejects.toBeInstanceOf(ManagerStateError);
    await expect(d.get('a')).rejects.toBeInstanceOf(ManagerStateError);
    const second = await new SyncManager({ address: first.address, authkey }).getServer().ready;
    const servingSecond = second.serveForever();
    // The proxy's connection is made anew; the new server holds no object of that number.
    await expect(d.get('a')).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'KeyError' });
    second.shutdown();
    await servingSecond;
  });

  it('the manager process dies with its owner, SIGKILL included', async () => {
    const { spawn } = await import('node:child_process');
    const owner = spawn(process.execPath, [new URL('owner.mjs', PROGRAMS).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      owner.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text);
      });
      owner.once('exit', (code) => reject(new Error(`owner exited ${code} before it said its manager's pid`)));
    });
    const pid = (JSON.parse(line) as { manager: number }).manager;
    expect(await isGone(pid)).toBe(false);
    owner.kill('SIGKILL');
    await eventually(() => isGone(pid), `manager process ${pid} to end`);
  });
});
