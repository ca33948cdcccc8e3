// Raw worker_threads doing each case's work with nothing on top: MessageChannel
// ports, SharedArrayBuffers and Atomics. This is the floor under any library built
// on them. Each role posts its figure to the parent as its only message.
import { parentPort, workerData } from 'node:worker_threads';

/**
 * @typedef {object} Data
 * @property {string} role
 * @property {number} [n]
 * @property {number} [warm]
 * @property {string | null} [payload]
 * @property {import('node:worker_threads').MessagePort} [port]
 * @property {SharedArrayBuffer} [shared]
 * @property {SharedArrayBuffer} [gate]
 */

const data = /** @type {Data} */ (workerData);
const n = data.n ?? 0;
const warm = data.warm ?? 0;
const parent = /** @type {NonNullable<typeof parentPort>} */ (parentPort);
const port = /** @type {import('node:worker_threads').MessagePort} */ (data.port);

/** @param {number} figure */
function report(figure) {
  parent.postMessage(figure);
}

/** Counts in at word 1, waits for "go" at word 0 (the same gate as the @mp children). */
function enter() {
  const g = new Int32Array(/** @type {SharedArrayBuffer} */ (data.gate));
  Atomics.add(g, 1, 1);
  Atomics.notify(g, 1);
  while (Atomics.load(g, 0) === 0) Atomics.wait(g, 0, 0);
}

/** Counts out at word 2. */
function leave() {
  const g = new Int32Array(/** @type {SharedArrayBuffer} */ (data.gate));
  Atomics.add(g, 2, 1);
  Atomics.notify(g, 2);
}

switch (data.role) {
  // Queue floor: one port.postMessage per item; the producer starts when the consumer says so.
  case 'produce': {
    port.once('message', () => {
      const payload = data.payload ?? null;
      if (payload === null) for (let i = 0; i < n; i++) port.postMessage(i);
      else for (let i = 0; i < n; i++) port.postMessage(payload);
      port.postMessage(null);
      // A thread that exits drops what its port has not delivered yet: wait for the consumer.
      port.once('message', () => port.close());
    });
    break;
  }
  case 'consume': {
    let transfers = -1;
    let start = 0;
    port.on('message', (/** @type {unknown} */ message) => {
      if (transfers++ === -1) start = performance.now();
      if (message === null) {
        report(transfers / ((performance.now() - start) / 1e3));
        port.postMessage('done');
        port.close();
      }
    });
    port.postMessage('ready');
    break;
  }
  // Pipe floor over ports: the pinger times n round trips after `warm` untimed ones.
  case 'ping-port': {
    let i = 0;
    let start = 0;
    port.on('message', () => {
      i++;
      if (i === warm) start = performance.now();
      if (i === warm + n) {
        report(((performance.now() - start) * 1e3) / n);
        port.postMessage(-1);
        port.close();
        return;
      }
      port.postMessage(i);
    });
    if (warm === 0) start = performance.now();
    port.postMessage(0);
    break;
  }
  case 'pong-port': {
    port.on('message', (/** @type {unknown} */ message) => {
      if (message === -1) port.close();
      else port.postMessage(message);
    });
    break;
  }
  // Pipe and Event floor: one word says whose turn it is; each side sleeps in
  // Atomics.wait until it is its turn (no spinning, like an Event wait).
  case 'ping-atomics': {
    const turn = new Int32Array(/** @type {SharedArrayBuffer} */ (data.shared));
    let start = performance.now();
    for (let i = 0; i < warm + n; i++) {
      if (i === warm) start = performance.now();
      Atomics.store(turn, 0, 1);
      Atomics.notify(turn, 0);
      while (Atomics.load(turn, 0) === 1) Atomics.wait(turn, 0, 1);
    }
    report(((performance.now() - start) * 1e3) / n);
    break;
  }
  case 'pong-atomics': {
    const turn = new Int32Array(/** @type {SharedArrayBuffer} */ (data.shared));
    for (let i = 0; i < warm + n; i++) {
      while (Atomics.load(turn, 0) === 0) Atomics.wait(turn, 0, 0);
      Atomics.store(turn, 0, 0);
      Atomics.notify(turn, 0);
    }
    report(0);
    break;
  }
  // Lock floor: a compare-and-swap lock on a word, released by an exchange that wakes a sleeper if any.
  case 'lock-uncontended': {
    const word = new Int32Array(/** @type {SharedArrayBuffer} */ (data.shared));
    const cycle = (/** @type {number} */ ops) => {
      for (let i = 0; i < ops; i++) {
        if (Atomics.compareExchange(word, 0, 0, 1) !== 0) throw new Error('contended');
        if (Atomics.exchange(word, 0, 0) === 2) Atomics.notify(word, 0, 1);
      }
    };
    cycle(Math.min(n, 100_000));
    const start = performance.now();
    cycle(n);
    report(((performance.now() - start) * 1e6) / n);
    break;
  }
  // Locked increments floor: Drepper's futex mutex (0 free, 1 locked, 2 locked with
  // sleepers) with a short spin, inline, around a plain increment of word 1.
  case 'lock-increment': {
    const words = new Int32Array(/** @type {SharedArrayBuffer} */ (data.shared));
    enter();
    for (let i = 0; i < n; i++) {
      if (Atomics.compareExchange(words, 0, 0, 1) !== 0) {
        let spun = 0;
        for (; spun < 100; spun++) if (Atomics.load(words, 0) === 0 && Atomics.compareExchange(words, 0, 0, 1) === 0) break;
        if (spun === 100) while (Atomics.exchange(words, 0, 2) !== 0) Atomics.wait(words, 0, 2);
      }
      words[1] = /** @type {number} */ (words[1]) + 1;
      if (Atomics.exchange(words, 0, 0) === 2) Atomics.notify(words, 0, 1);
    }
    leave();
    report(0);
    break;
  }
  // SharedArray floor: sum a Float64Array over a SharedArrayBuffer.
  case 'sum': {
    const start = performance.now();
    const values = new Float64Array(/** @type {SharedArrayBuffer} */ (data.shared));
    let total = 0;
    for (let i = 0; i < values.length; i++) total += /** @type {number} */ (values[i]);
    const ms = performance.now() - start;
    parent.postMessage([ms, total]);
    break;
  }
  default:
    throw new Error(`unknown floor role ${data.role}`);
}
