import type { Process } from '@mp/core';
import { describe } from '@mp/core/internal';
import { Connection } from './connection.js';
import { ClosedError } from './errors.js';
import { remaining, toDeadline } from './internal/deadline.js';
import { runAsync, runSync } from './internal/waiting.js';
import { channelOf, Queue } from './queue.js';
import { SimpleQueue } from './simple-queue.js';
import { framesOf, SocketConnection } from './socket-connection.js';

/** What {@link wait} can wait for. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Waitable = Connection<any> | SocketConnection<any> | Queue<any> | SimpleQueue<any> | Process['sentinel'];

const SENTINEL_BRAND = Symbol.for('@mp/core.ProcessSentinel');
/**
 * A wait wakes at least this often to look at every object again: a pipe's
 * peer that died, a queue item, a sentinel seen without the event loop.
 */
const SLICE_MS = 50;
/** Longest sleep between looks when nothing can wake the waiter directly (waitSync on several objects, SimpleQueue). */
const MAX_NAP_MS = 5;

type Kind = 'pipe' | 'socket' | 'queue' | 'simple-queue' | 'sentinel';

interface Entry {
  readonly object: Waitable;
  readonly kind: Kind;
}

function kindOf(object: unknown, index: number): Kind {
  if (object instanceof Connection) return 'pipe';
  if (object instanceof SocketConnection) return 'socket';
  if (object instanceof Queue) return 'queue';
  if (object instanceof SimpleQueue) return 'simple-queue';
  if (typeof object === 'object' && object !== null && SENTINEL_BRAND in object) return 'sentinel';
  throw new TypeError(
    `Expected \`objects[${index}]\` to be a Connection, a SocketConnection, a Queue, a SimpleQueue or a Process sentinel (process.sentinel), got ${describe(object)}`,
  );
}

function entriesOf(objects: Iterable<Waitable>): Entry[] {
  if (objects === null || typeof objects !== 'object' || typeof (objects as Iterable<Waitable>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`Expected \`objects\` to be an iterable (an array) of connections, queues and sentinels, got ${describe(objects)}`);
  }
  return [...objects].map((object, index) => ({ object, kind: kindOf(object, index) }));
}

/** Whether `entry` is ready now: a message or EOF, an item, an ended process. Never waits. */
function isReady(entry: Entry): boolean {
  switch (entry.kind) {
    case 'pipe':
      return (entry.object as Connection).pollSync(0);
    case 'socket': {
      const { frames, limit, closed } = framesOf(entry.object)!;
      if (closed) throw new ClosedError('handle is closed: a SocketConnection cannot be waited for after close().');
      return frames.readable(limit);
    }
    case 'queue':
    case 'simple-queue':
      return !(entry.object as Queue).empty();
    case 'sentinel':
      return (entry.object as Process['sentinel']).isReady();
  }
}

/**
 * Waits until at least one of `objects` is ready, or `timeout` ms pass, and
 * returns those that are ready, in the order given: connections with a
 * message to receive or at EOF, queues with an item, process sentinels whose
 * process has ended.
 *
 * Python: `multiprocessing.connection.wait(object_list, timeout=None)`.
 *
 * @param objects - pipe `Connection`s, `SocketConnection`s, `Queue`s (and `JoinableQueue`s), `SimpleQueue`s, `process.sentinel`s
 * @param timeout - milliseconds; `undefined` = no limit; `0` = look and return
 * @returns the ready objects (empty when the timeout passed first)
 * @throws TypeError (rejection) for an object of another kind, naming its index
 * @throws {@link ClosedError} (rejection) for a closed connection
 * @example
 * ```ts
 * import { Pipe, wait } from '@mp/ipc';
 *
 * const [a, b] = Pipe();
 * b.send('hi');
 * for (const conn of await wait([a], 1000)) console.log(await conn.recv()); // 'hi'
 * ```
 */
export async function wait<W extends Waitable>(objects: Iterable<W>, timeout?: number): Promise<W[]> {
  const entries = entriesOf(objects);
  const deadline = toDeadline(timeout);
  // One promise per sentinel for the whole wait: re-subscribing at each slice would pile up reactions.
  const ended = entries.filter((entry) => entry.kind === 'sentinel').map((entry) => (entry.object as Process['sentinel']).ended());
  let nap = 0.5;
  for (;;) {
    const ready = entries.filter(isReady);
    const left = remaining(deadline, SLICE_MS);
    if (ready.length > 0 || left === 0) return ready.map((entry) => entry.object as W);
    // Whichever object changes first ends this round; the others' waits end by the slice.
    const wakers: Promise<unknown>[] = [...ended];
    let napping = false;
    for (const entry of entries) {
      if (entry.kind === 'pipe') wakers.push((entry.object as Connection).poll(left));
      else if (entry.kind === 'socket') wakers.push(framesOf(entry.object)!.frames.changed(left));
      else if (entry.kind === 'queue') wakers.push(runAsync(channelOf(entry.object).poll({ deadline: performance.now() + left, slice: left })));
      else if (entry.kind === 'simple-queue') napping = true;
    }
    let timer: NodeJS.Timeout | undefined;
    const wake = napping ? Math.min(left, nap) : left;
    wakers.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, wake))));
    if (napping) nap = Math.min(nap * 2, MAX_NAP_MS);
    try {
      await Promise.race(wakers);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Like {@link wait}, blocking the calling thread. Socket connections cannot
 * be waited for this way: a socket is read by the event loop, which a
 * blocking wait stops.
 *
 * Python: `multiprocessing.connection.wait(object_list, timeout=None)`.
 *
 * @param objects - pipe `Connection`s, `Queue`s, `SimpleQueue`s, `process.sentinel`s
 * @param timeout - milliseconds; `undefined` = no limit; `0` = look and return
 * @returns the ready objects (empty when the timeout passed first)
 * @throws TypeError for a `SocketConnection` or an object of another kind, naming its index
 * @throws {@link ClosedError} for a closed connection
 * @example
 * ```ts
 * import { waitSync } from '@mp/ipc';
 * for (const ready of waitSync([conn, p.sentinel])) console.log(ready);
 * ```
 */
export function waitSync<W extends Waitable>(objects: Iterable<W>, timeout?: number): W[] {
  const entries = entriesOf(objects);
  entries.forEach((entry, index) => {
    if (entry.kind === 'socket') {
      throw new TypeError(
        `\`objects[${index}]\` is a SocketConnection, which waitSync() cannot wait for: its socket is read by the event loop, which waitSync() blocks. Use \`await wait(objects)\`.`,
      );
    }
  });
  const deadline = toDeadline(timeout);
  // With one object, sleep on it directly (woken by its own futex); with several, look at each in turn, napping in between.
  const only = entries.length === 1 ? entries[0] : undefined;
  let nap = 0.05;
  for (;;) {
    const ready = entries.filter(isReady);
    const left = remaining(deadline, SLICE_MS);
    if (ready.length > 0 || left === 0) return ready.map((entry) => entry.object as W);
    if (only?.kind === 'pipe') {
      (only.object as Connection).pollSync(left);
    } else if (only?.kind === 'queue') {
      runSync(channelOf(only.object).poll({ deadline: performance.now() + left, slice: left }));
    } else {
      Atomics.wait(napWord, 0, 0, Math.min(left, nap));
      nap = Math.min(nap * 2, MAX_NAP_MS);
    }
  }
}

/** A word nobody notifies: `Atomics.wait` on it is a precise sleep. */
const napWord = new Int32Array(new SharedArrayBuffer(4));
