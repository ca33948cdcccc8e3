import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from '@mp/sync';

describe('String(x) and util.inspect agree on the Python repr', () => {
  const cases: [string, () => object, RegExp][] = [
    ['Lock', () => new Lock(), /^<Lock\(owner=None\)>$/],
    ['RLock', () => new RLock(), /^<RLock\(None, 0\)>$/],
    ['Semaphore', () => new Semaphore(3), /^<Semaphore\(value=3\)>$/],
    ['BoundedSemaphore', () => new BoundedSemaphore(2), /^<BoundedSemaphore\(value=2, maxvalue=2\)>$/],
    ['Event', () => new Event(), /^<Event\(unset\)>$/],
    ['Condition', () => new Condition(), /^<Condition\(<RLock\(None, 0\)>, 0\)>$/],
    ['Barrier', () => new Barrier(3), /^<Barrier\(waiters=0\/3\)>$/],
  ];

  it.each(cases)('%s', (_, make, repr) => {
    const x = make();
    expect(String(x)).toMatch(repr);
    expect(`${x}`).toBe(inspect(x));
    expect(inspect(x)).toMatch(repr);
  });

  it('follows the state (a held lock names its owner)', () => {
    const lock = new Lock();
    lock.acquireSync();
    expect(String(lock)).toBe('<Lock(owner=MainProcess)>');
    expect(inspect(new Condition(lock))).toBe('<Condition(<Lock(owner=MainProcess)>, 0)>');
    lock.release();
  });
});

describe('unknown Barrier options are a TypeError', () => {
  it('names the key and the valid ones', () => {
    expect(() => new Barrier(2, { timout: 5 } as never)).toThrow(TypeError);
    expect(() => new Barrier(2, { timout: 5 } as never)).toThrow(
      'Unknown Barrier option `timout` (did you mean `timeout`?): the valid options are `action`, `timeout`',
    );
    expect(() => new Barrier(2, { timeout: 5 })).not.toThrow();
  });
});
