// Event ping-pong between two children: `serve` sets ping and waits for pong; `answer`
// waits for ping and sets pong. The server times n round trips after `warm` untimed ones.
/** @typedef {import('@mp/sync').Event} Event */

/**
 * @param {Event} ping
 * @param {Event} pong
 * @param {number} n
 * @param {number} warm
 * @param {Float64Array} report - [µs per round trip]
 */
export function serve(ping, pong, n, warm, report) {
  let start = performance.now();
  for (let i = 0; i < warm + n; i++) {
    if (i === warm) start = performance.now();
    ping.set();
    pong.waitSync();
    pong.clear();
  }
  report[0] = ((performance.now() - start) * 1e3) / n;
}

/**
 * @param {Event} ping
 * @param {Event} pong
 * @param {number} rounds
 */
export function answer(ping, pong, rounds) {
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    pong.set();
  }
}
