import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { allocateShared } from '@mp/core';
import { Pipe, Queue } from '@mp/ipc';
import { hostilePayloads } from '../../core/test/fixtures/hostile.ts';
import { joinAll, start } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-ipc-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const marker = () => join(dir, `ran-${n++}`);

describe.each(['thread', 'process'] as const)('hostile data through a Queue (%s consumer)', (method) => {
  it('arrives as data beside a real shared object, and loads no module', async () => {
    const path = marker();
    const queue = new Queue<{ region: ReturnType<typeof allocateShared>; request: unknown }>();
    const region = allocateShared(8);
    const p = start('hostile', 'consumeHostile', [queue, path], method);
    await queue.put({ region, request: hostilePayloads(path) });
    expect(await joinAll([p])).toEqual([0]);
    expect(Atomics.load(region.int32(), 0)).toBe(1);
    expect(existsSync(path)).toBe(false);
  });
});

describe('hostile bytes through a Pipe', () => {
  it('recv() of bytes sent with sendBytes() gives data only, whatever they look like', async () => {
    const path = marker();
    const [a, b] = Pipe();
    const payloads = hostilePayloads(path);
    for (const payload of payloads) a.sendBytes(serialize(payload));
    // The envelope a message with shared objects travels in, forged as raw bytes.
    const forged = [[{}], { objects: [{}], states: [{ type: '@mp/evil.Type', module: 'data:text/javascript,1', state: {} }] }];
    a.sendBytes(serialize(forged));
    for (const payload of payloads) expect(await b.recv()).toEqual(payload);
    expect(b.recvSync()).toEqual(forged);
    expect(existsSync(path)).toBe(false);
  });

  it('recvBytes() of a message holding shared objects is a TypeError naming recv()', async () => {
    const [a, b] = Pipe();
    a.send({ region: allocateShared(8) });
    await expect(b.recvBytes()).rejects.toThrow(/holds shared objects.*recv\(\)/);
  });
});
