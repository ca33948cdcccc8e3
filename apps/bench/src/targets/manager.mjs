// Manager().dict() round trips from a child: `set` then `get`, each a call to the manager
// process; the child stores its mean per round trip in the dict itself.

/**
 * @param {import('@mp/managers').DictProxy<string, number>} d
 * @param {number} n
 * @param {number} warm
 */
export async function dictTrips(d, n, warm) {
  for (let i = 0; i < warm; i++) {
    await d.set('k', i);
    await d.get('k');
  }
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await d.set('k', i);
    await d.get('k');
  }
  await d.set('us', ((performance.now() - start) * 1e3) / n);
}

/**
 * The floor of the case: the same two round trips per pair, as bare @mp/ipc messages shaped
 * like a manager's call and reply, to a parent that answers each at once. The child sends
 * its mean per pair as its last message.
 * @param {import('@mp/ipc').Address} address
 * @param {number} n
 * @param {number} warm
 */
export async function ipcTrips(address, n, warm) {
  const { Client } = await import('@mp/ipc');
  const conn = await Client(address);
  let rid = 0;
  /** @param {string} method @param {unknown[]} args */
  const call = async (method, args) => {
    conn.send({ op: 'call', id: 1, method, args: { value: args, shared: false }, rid: ++rid });
    await conn.recv();
  };
  for (let i = 0; i < warm; i++) {
    await call('set', ['k', i]);
    await call('get', ['k', undefined]);
  }
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await call('set', ['k', i]);
    await call('get', ['k', undefined]);
  }
  conn.send({ op: 'done', us: ((performance.now() - start) * 1e3) / n });
  conn.close();
}
