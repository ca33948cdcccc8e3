import { describe, expect, it } from 'vitest';
import { EmptyError, FullError, Queue } from '@mp/ipc';

function message(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error, got none');
}

describe('queue error messages', () => {
  it('FullError counts items in the singular and plural', () => {
    const one = new Queue(1);
    one.putSync('a');
    expect(message(() => one.putNowait('b'))).toBe(
      'Queue is full: it holds its maxsize of 1 item and has no room now. Use put() to wait for room, or catch FullError.',
    );
    expect(message(() => one.putSync('b', 5))).toMatch(/^Queue is full: it holds its maxsize of 1 item and no room was made within 5 ms\./);
    const two = new Queue(2);
    two.putSync(1);
    two.putSync(2);
    expect(message(() => two.putNowait(3))).toMatch(/maxsize of 2 items and has no room now/);
    expect(() => two.putNowait(3)).toThrow(FullError);
  });

  it('EmptyError for a zero or negative timeout says the queue is empty now, not "within -1 ms"', () => {
    const q = new Queue();
    for (const timeout of [0, -1, -100]) {
      expect(() => q.getSync(timeout)).toThrow(EmptyError);
      expect(message(() => q.getSync(timeout))).toBe('Queue is empty: no item to take now. Use get() to wait for one, or catch EmptyError.');
    }
    expect(message(() => q.getSync(5))).toBe('Queue is empty: no item arrived within 5 ms. Wait longer, or catch EmptyError.');
  });
});
