// Pipe round trip between two children: the pinger times n send+recv after `warm`
// untimed ones (which also wait for the ponger to be up), then ends the ponger with -1.
/** @typedef {import('@mp/ipc').Connection<number>} Connection */

/**
 * @param {Connection} conn
 * @param {number} n
 * @param {number} warm
 * @param {Float64Array} report - [µs per round trip]
 */
export function ping(conn, n, warm, report) {
  for (let i = 0; i < warm; i++) {
    conn.send(i);
    conn.recvSync();
  }
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    conn.send(i);
    conn.recvSync();
  }
  report[0] = ((performance.now() - start) * 1e3) / n;
  conn.send(-1);
}

/** @param {Connection} conn */
export function pong(conn) {
  for (;;) {
    const message = conn.recvSync();
    if (message === -1) return;
    conn.send(message);
  }
}
