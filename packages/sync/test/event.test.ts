import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '@mp/sync';
import { cleanup, exitCodes, since, spawn, until, words, wordsOf } from './helpers.ts';

afterEach(cleanup);

/** Word 1 of an Event counts its waiters (white-box, to know a child is asleep). */
const WAITERS = 1;

describe('Event (CPython test_event)', () => {
  it('reports its flag, times out while clear, returns at once while set', async () => {
    const event = new Event();
    expect(event.isSet()).toBe(false);
    expect(inspect(event)).toBe('<Event(unset)>');
    expect(event.waitSync(0)).toBe(false);
    expect(await event.wait(0)).toBe(false);
    expect(event.waitSync(-3)).toBe(false);
    let t0 = performance.now();
    expect(event.waitSync(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);
    t0 = performance.now();
    expect(await event.wait(40)).toBe(false);
    expect(since(t0)).toBeGreaterThanOrEqual(40);

    event.set();
    expect(event.isSet()).toBe(true);
    expect(inspect(event)).toBe('<Event(set)>');
    expect(event.waitSync()).toBe(true);
    expect(event.waitSync(40)).toBe(true);
    expect(await event.wait()).toBe(true);
    event.set();
    expect(event.isSet()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    expect(() => event.waitSync('1' as never)).toThrow(TypeError);
    await expect(event.wait('1' as never)).rejects.toThrow(TypeError);
  });

  it('wakes the main program when a child sets it', async () => {
    const event = new Event();
    const waiting = event.wait();
    const child = spawn('event', 'setEvent', [event]);
    expect(await waiting).toBe(true);
    expect(await exitCodes(child)).toEqual([0]);
  });
});

describe('Event between threads', () => {
  it('wakes every waiter, sync and async, in children and the main program', async () => {
    const event = new Event();
    const { region, view } = words(4);
    const children = [
      spawn('event', 'waitInto', [event, region, 0]),
      spawn('event', 'waitInto', [event, region, 1, 30_000]),
      spawn('event', 'waitAsyncInto', [event, region, 2]),
    ];
    const main = event.wait(30_000);
    await until(() => Atomics.load(wordsOf(event), WAITERS) === 4, 'four waiters');
    event.set();
    expect(await main).toBe(true);
    expect(await exitCodes(...children)).toEqual([0, 0, 0]);
    expect([...view.subarray(0, 3)]).toEqual([1, 1, 1]);
  });

  it('does not lose a set() that is cleared at once: the waiter still returns true', async () => {
    const event = new Event();
    const { region, view } = words(2);
    const children = [spawn('event', 'waitInto', [event, region, 0]), spawn('event', 'waitAsyncInto', [event, region, 1])];
    await until(() => Atomics.load(wordsOf(event), WAITERS) === 2, 'two waiters');
    event.set();
    event.clear();
    expect(await exitCodes(...children)).toEqual([0, 0]);
    expect([...view]).toEqual([1, 1]);
    expect(event.isSet()).toBe(false);
  });

  it('times out in a child and reports false', async () => {
    const event = new Event();
    const { region, view } = words(2);
    const children = [spawn('event', 'waitInto', [event, region, 0, 30]), spawn('event', 'waitAsyncInto', [event, region, 1, 30])];
    expect(await exitCodes(...children)).toEqual([0, 0]);
    expect([...view]).toEqual([2, 2]);
  });

  it('does not block the event loop while an async wait is pending', async () => {
    const event = new Event();
    const go = new Event();
    const child = spawn('event', 'setWhen', [go, event]);
    let done = false;
    const waiting = event.wait().then((ok) => (done = ok));
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        expect(done).toBe(false);
        if (++ticks === 5) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    go.set();
    await waiting;
    expect(done).toBe(true);
    await exitCodes(child);
  });

  it('ping-pongs between two children: one set() ends exactly one wait', async () => {
    // A wait that returned without its own set() (one set() ending two waits)
    // would let the serving child finish early and leave the other waiting.
    const ping = new Event();
    const pongEvent = new Event();
    const rounds = 50_000;
    const server = spawn('event', 'serve', [ping, pongEvent, rounds]);
    const returner = spawn('event', 'pong', [ping, pongEvent, rounds]);
    expect(await exitCodes(server)).toEqual([0]);
    await returner.join(10_000);
    expect(returner.exitCode).toBe(0);
  });

  it('ping-pongs between the main program and a child', async () => {
    const ping = new Event();
    const pongEvent = new Event();
    const child = spawn('event', 'pong', [ping, pongEvent, 200]);
    for (let i = 0; i < 200; i++) {
      ping.set();
      expect(await pongEvent.wait(30_000)).toBe(true);
      pongEvent.clear();
    }
    expect(await exitCodes(child)).toEqual([0]);
  });
});
