import { ClosedError, SimpleQueue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';

describe('SimpleQueue', () => {
  it('puts and gets in order', async () => {
    const q = new SimpleQueue<string>();
    expect(q.empty()).toBe(true);
    q.put('a');
    q.put('b');
    expect(q.empty()).toBe(false);
    expect(await q.get()).toBe('a');
    expect(q.getSync()).toBe('b');
    expect(q.empty()).toBe(true);
    expect(String(q)).toBe('<SimpleQueue qsize=0>');
  });

  it('close() twice is fine; the object is unusable afterwards (CPython test_close)', async () => {
    const q = new SimpleQueue();
    q.close();
    q.close();
    expect(() => q.put(1)).toThrow(ClosedError);
    expect(() => q.getSync()).toThrow(ClosedError);
    expect(() => q.empty()).toThrow(ClosedError);
    await expect(q.get()).rejects.toThrow(ClosedError);
  });

  it('travels inside an item of another queue', () => {
    const outer = new SimpleQueue<SimpleQueue<number>>();
    const inner = new SimpleQueue<number>();
    outer.put(inner);
    const got = outer.getSync();
    expect(got).toBeInstanceOf(SimpleQueue);
    got.put(5);
    expect(inner.getSync()).toBe(5);
  });
});
