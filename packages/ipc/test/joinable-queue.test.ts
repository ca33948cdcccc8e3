import { JoinableQueue, Queue, TaskDoneError } from '@mp/ipc';
import { describe, expect, it } from 'vitest';
import { joinAll, start } from './helpers.ts';

describe('JoinableQueue', () => {
  it('join() resolves at once when nothing was put', async () => {
    const q = new JoinableQueue();
    await q.join();
    q.joinSync();
  });

  it('taskDone() beyond the items put throws "task_done() called too many times"', () => {
    const q = new JoinableQueue<number>();
    expect(() => q.taskDone()).toThrow(TaskDoneError);
    q.putSync(1);
    expect(q.getSync()).toBe(1);
    q.taskDone();
    let error: unknown;
    try {
      q.taskDone();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskDoneError);
    expect((error as TaskDoneError).message).toMatch(/^task_done\(\) called too many times/);
    expect((error as TaskDoneError).code).toBe('ERR_MP_TASK_DONE');
  });

  it('join() waits for every taskDone(), in this thread', async () => {
    const q = new JoinableQueue<number>();
    q.putSync(1);
    q.putSync(2);
    let joined = false;
    const joining = q.join().then(() => (joined = true));
    q.getSync();
    q.taskDone();
    await new Promise((resolve) => setImmediate(resolve));
    expect(joined).toBe(false);
    q.getSync();
    q.taskDone();
    await joining;
    expect(joined).toBe(true);
  });

  it('is a Queue', () => {
    const q = new JoinableQueue(2);
    expect(q).toBeInstanceOf(Queue);
    q.putSync('a');
    expect(q.qsize()).toBe(1);
    expect(String(q)).toBe('<JoinableQueue maxsize=2 qsize=1>');
  });

  it.each(['thread', 'process'] as const)('four %s workers mark ten items done; join() returns after the last (CPython test_task_done)', async (method) => {
    const q = new JoinableQueue<number | null>();
    const workers = [0, 1, 2, 3].map(() => start('consume', 'drainJoinable', [q], method));
    for (let i = 0; i < 10; i++) await q.put(i);
    await q.join();
    // Nothing is unfinished: a further taskDone() would be one too many.
    expect(() => q.taskDone()).toThrow(TaskDoneError);
    for (const _ of workers) await q.put(null);
    await q.join();
    expect(await joinAll(workers)).toEqual([0, 0, 0, 0]);
  }, 30_000);

  it.each(['thread', 'process'] as const)('joinSync() in the parent waits for a %s child’s taskDone() calls; items put by a child count', async (method) => {
    const q = new JoinableQueue<unknown>();
    const producer = start('produce', 'putAll', [q, [1, 2, 3]], method);
    expect(await joinAll([producer])).toEqual([0]);
    const worker = start('consume', 'workAndMarkDone', [q, 3], method);
    q.joinSync();
    expect(q.empty()).toBe(true);
    expect(await joinAll([worker])).toEqual([0]);
  }, 30_000);
});
