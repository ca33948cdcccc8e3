// multiprocessing.managers: a manager process holds a dict and a list that a child changes
// through proxies (the Python documentation's Manager example), then a lock-guarded counter
// shared by several children, a registered type of our own, and a second program's view.
// #region imports
import { BaseManager, Manager, type AutoProxy, type DictProxy, type ListProxy, type LockProxy } from '@mp/managers';
import { Process, isMain } from '@mp/core';
// #endregion imports

// #region f
/** The Python documentation's f(d, l): changes the dict and the list in the manager. */
export async function f(d: DictProxy<unknown, unknown>, l: ListProxy<number>): Promise<void> {
  await d.set(1, '1');
  await d.set('2', 2);
  await d.set(0.25, null);
  await l.reverse();
}
// #endregion f

// #region lock
/** Adds 1 to counts.total ten times, each under the manager's lock (Python: `with lock:`). */
export async function count(counts: DictProxy<string, number>, lock: LockProxy): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await using _ = await lock.hold();
    await counts.set('total', ((await counts.get('total')) ?? 0) + 1);
  }
}
// #endregion lock

// #region register
/** A type of our own, served by a manager: each method becomes an async proxy method. */
export class Tally {
  #n = 0;
  add(k: number): number {
    return (this.#n += k);
  }
}

class TallyManager extends BaseManager {}
TallyManager.register('Tally', Tally);
// #endregion register

if (isMain(import.meta)) {
  // #region main
  await using manager = await Manager();
  const d = await manager.dict();
  const l = await manager.list([...Array(10).keys()]);
  const p = new Process({ target: f, args: [d, l] });
  p.start();
  await p.join();
  console.log(await d.copy()); // Map(3) { 1 => '1', '2' => 2, 0.25 => null }
  console.log(JSON.stringify(await l.toArray())); // [9,8,7,6,5,4,3,2,1,0]
  // #endregion main

  // #region counter
  const counts = await manager.dict<string, number>();
  const lock = await manager.Lock();
  const children = [1, 2, 3].map(() => new Process({ target: count, args: [counts, lock] }));
  for (const child of children) child.start();
  for (const child of children) await child.join();
  console.log('total', await counts.get('total')); // total 30
  // #endregion counter

  // #region dict
  const prices = await manager.dict<string, number>({ apple: 3 });
  await prices.set('pear', 4);
  console.log(await prices.get('apple'), await prices.has('plum'), await prices.size()); // 3 false 2
  // #endregion dict

  // #region list
  const items = await manager.list(['b', 'a']);
  await items.append('c');
  await items.sort();
  console.log(await items.get(-1), await items.length()); // c 3
  // #endregion list

  // #region namespace
  const ns = await manager.Namespace<{ x: number; y: string }>();
  await ns.set('x', 10);
  console.log(await ns.get('x')); // 10
  // #endregion namespace

  // #region value
  const v = await manager.Value('d', 0.5);
  const a = await manager.Array('i', [1, 2, 3]);
  await v.set(1.5);
  await a.set(0, 7);
  console.log(await v.get(), await a.toArray()); // 1.5 [ 7, 2, 3 ]
  // #endregion value

  // #region queue
  const q = await manager.Queue<string>();
  await q.put('hello');
  console.log(await q.get()); // hello
  // #endregion queue

  // #region event
  const event = await manager.Event();
  const waiting = event.wait(10_000);
  await event.set();
  console.log('event', await waiting); // event true
  // #endregion event

  // #region server
  const authkey = new TextEncoder().encode('tally key');
  const server = await new TallyManager({ address: ['127.0.0.1', 0], authkey }).getServer().ready;
  const serving = server.serveForever(); // another program could connect now
  // #endregion server

  // #region connect
  const other = await new TallyManager({ address: server.address, authkey }).connect();
  const tally = (await other.create('Tally')) as AutoProxy<Tally>;
  await tally.add(2);
  console.log('tally', await tally.add(3)); // tally 5
  await other.shutdown();
  server.shutdown();
  await serving;
  // #endregion connect
}
