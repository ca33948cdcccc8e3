import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EOFError, JoinableQueue, Pipe, Queue, SimpleQueue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { joinAll, start } from './helpers.ts';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe.each(['thread', 'process'] as const)('every queue and connection kind reaches a %s child', (method) => {
  it('Queue, JoinableQueue, SimpleQueue, Connection, a nested Queue: the child puts them back; same objects, same memory', async () => {
    const q = new Queue<unknown>();
    const queue = new Queue<number>();
    const joinable = new JoinableQueue<number>();
    const simple = new SimpleQueue<number>();
    const [a, b] = Pipe<string>();
    const nested = { deep: [new Queue<number>()] };
    const child = start('produce', 'putOne', [q, [queue, joinable, simple, b, nested]], method);
    const [queue2, joinable2, simple2, b2, nested2] = (await q.get()) as [Queue<number>, JoinableQueue<number>, SimpleQueue<number>, typeof b, typeof nested];
    expect(await joinAll([child])).toEqual([0]);
    expect(queue2).toBeInstanceOf(Queue);
    expect(joinable2).toBeInstanceOf(JoinableQueue);
    expect(simple2).toBeInstanceOf(SimpleQueue);
    queue.putSync(1);
    expect(queue2.getSync()).toBe(1);
    joinable.putSync(2);
    expect(joinable2.getSync()).toBe(2);
    joinable2.taskDone();
    await joinable.join();
    simple.put(3);
    expect(simple2.getSync()).toBe(3);
    nested.deep[0]!.putSync(4);
    expect(nested2.deep[0]!.getSync()).toBe(4);
    // The connection came back as a copy of the same end: EOF only when both copies are closed.
    b.close();
    b2.send('via the copy');
    expect(a.recvSync()).toBe('via the copy');
    b2.close();
    expect(() => a.recvSync()).toThrow(EOFError);
  }, 30_000);
});

/** Runs a program of fixtures/programs as its own Node process, with extra environment variables. */
function runProgram(name: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const flags = (process.features as { typescript?: unknown }).typescript ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...flags, fileURLToPath(new URL(`./fixtures/programs/${name}.ts`, import.meta.url))], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('without cross-process shared memory (MP_SHARED_MEMORY=local)', () => {
  it('passing a queue or a connection to a process child throws StartMethodError naming the start method; nothing is counted', async () => {
    const result = await runProgram('local-memory', { MP_SHARED_MEMORY: 'local' });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      "Queue: StartMethodError ERR_MP_START_METHOD names 'process': true",
      "JoinableQueue: StartMethodError ERR_MP_START_METHOD names 'process': true",
      "SimpleQueue: StartMethodError ERR_MP_START_METHOD names 'process': true",
      "Connection: StartMethodError ERR_MP_START_METHOD names 'process': true",
      "nested Queue: StartMethodError ERR_MP_START_METHOD names 'process': true",
      'refused connection not counted: EOFError',
      'thread child: works',
    ]);
    expect(result.code).toBe(0);
  }, 30_000);
});
