// multiprocessing.connection: a Listener that other programs reach with Client, both sides
// proving they hold the same authkey, and wait() over several connections and sentinels.
// The Python documentation's Listener/Client pair and its wait() example; the clients are
// children here, so that one command runs both sides (a program started by hand works too).
// #region imports
import { Process, currentProcess, isMain } from '@mp/core';
import { Client, EOFError, Listener, wait, type Address, type SocketConnection } from '@mp/ipc';

const authkey = new TextEncoder().encode('secret password');
// #endregion imports

// #region client
/** The Python documentation's client: receives an object, then bytes, twice. */
export async function client(address: Address): Promise<void> {
  using conn = await Client(address, { authkey });
  console.log(await conn.recv()); // [ 2.25, null, 'junk' ]
  console.log(new TextDecoder().decode(await conn.recvBytes())); // hello
  const arr = new Int32Array(5); // Python: conn.recv_bytes_into(arr)
  const bytes = await conn.recvBytes();
  new Uint8Array(arr.buffer).set(bytes);
  console.log(bytes.length, arr); // 8 Int32Array(5) [ 42, 1729, 0, 0, 0 ]
}
// #endregion client

// #region worker
/** A client that sends a few messages and hangs up. No key given: it has its parent's. */
export async function report(address: Address): Promise<void> {
  const conn = await Client<[number, string]>(address);
  for (let i = 0; i < 3; i++) conn.send([i, currentProcess().name]);
  conn.close(); // the listener's side sees EOF once the messages are read
}
// #endregion worker

if (isMain(import.meta)) {
  // #region server
  const listener = await new Listener(['127.0.0.1', 0], { authkey }).ready; // port 0: the system picks one
  const reader = new Process({ target: client, args: [listener.address] });
  reader.start();
  {
    using conn = await listener.accept();
    const [host] = listener.lastAccepted as [string, number];
    console.log('connection accepted from', host);
    conn.send([2.25, null, 'junk']); // data only: Python's example also sends `float`, a class
    conn.sendBytes(new TextEncoder().encode('hello'));
    conn.sendBytes(new Int32Array([42, 1729]));
  }
  await reader.join();
  listener.close();
  // #endregion server

  // #region refused
  // A wrong key fails on both sides, and nothing the stranger sends is ever decoded.
  const guarded = await new Listener(['127.0.0.1', 0]).ready; // the key: currentProcess().authkey
  const attempts = await Promise.allSettled([
    guarded.accept(),
    Client(guarded.address, { authkey: new TextEncoder().encode('wrong') }),
  ]);
  console.log(attempts.map((attempt) => (attempt.status === 'rejected' ? (attempt.reason as Error).name : 'connected')).join(' '));
  // #endregion refused

  // #region wait
  const children = [0, 1, 2].map(() => new Process({ target: report, args: [guarded.address] }));
  for (const p of children) p.start();
  const readers: SocketConnection<[number, string]>[] = [];
  for (let n = 0; n < children.length; n++) readers.push(await guarded.accept());
  guarded.close();

  const received: string[] = [];
  while (readers.length > 0) {
    for (const r of await wait(readers)) {
      try {
        const [i, name] = await r.recv();
        received.push(`${name} ${i}`);
      } catch (error) {
        if (!(error instanceof EOFError)) throw error;
        r.close();
        readers.splice(readers.indexOf(r), 1);
      }
    }
  }
  console.log(received.sort().join(', ')); // the order of arrival between children varies

  const running = children.map((p) => p.sentinel);
  while (running.length > 0) {
    for (const ended of await wait(running)) running.splice(running.indexOf(ended), 1);
  }
  await Promise.all(children.map((p) => p.join()));
  console.log('exit codes', children.map((p) => p.exitCode).join(' '));
  // #endregion wait
}
