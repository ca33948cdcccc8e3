// CPython's multiprocessing in the same run: long-lived `python3 cpython/bench.py METHOD`
// servers that run one repetition per request (a JSON line in, a JSON line out), so
// that CPython's repetitions interleave with everyone else's like any other variant.
// Pools live in a server of their own: a pool's handler threads must not be running
// in the process that forks the children of the other cases.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SkipError } from './errors.mjs';

/** How long a server may take to end its pool and exit before it is killed. */
const CLOSE_GRACE_MS = 5_000;
const SCRIPT = fileURLToPath(new URL('./cpython/bench.py', import.meta.url));

/** @type {string | null | undefined} */
let version;

/** `Python 3.11.7`, or null when there is no working `python3`. */
export function pythonVersion() {
  if (version === undefined) {
    const run = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    version = run.status === 0 ? run.stdout.trim() || run.stderr.trim() : null;
  }
  return version;
}

/** @typedef {'fork' | 'spawn'} PythonMethod */

class Server {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  #child;
  /** @type {((line: string) => void)[]} */
  #waiting = [];
  /** @type {Promise<void>} */
  #busy = Promise.resolve();

  /** @param {PythonMethod} method */
  constructor(method) {
    this.method = method;
  }

  #start() {
    if (pythonVersion() === null) throw new SkipError('python3 not found');
    // `-u`: unbuffered, each answer arrives when printed. stderr is the bench's own,
    // so a Python traceback shows where it happened.
    const child = spawn('python3', ['-u', SCRIPT, this.method], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
    lines.on('line', (line) => this.#waiting.shift()?.(line));
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      for (const answer of this.#waiting.splice(0)) answer(JSON.stringify({ error: `python3 exited (${signal ?? code}) before answering` }));
    });
    this.#child = child;
    return child;
  }

  /**
   * Runs one request; rejects with the Python exception's text when it raised.
   * @param {string} op
   * @param {Record<string, unknown>} args
   * @returns {Promise<number | Record<string, number>>}
   */
  request(op, args) {
    const run = this.#busy.then(() => {
      const child = this.#child ?? this.#start();
      return new Promise((resolve, reject) => {
        this.#waiting.push((line) => {
          /** @type {{ value?: number | Record<string, number>, error?: string }} */
          const answer = JSON.parse(line);
          if (answer.error !== undefined || answer.value === undefined) reject(new Error(`CPython ${this.method}: ${answer.error}`));
          else resolve(answer.value);
        });
        /** @type {import('node:stream').Writable} */ (child.stdin).write(`${JSON.stringify({ op, args })}\n`);
      });
    });
    this.#busy = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /** Ends the server at once (and so its pool); the next request starts a new one. */
  kill() {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /**
   * Ends the server the polite way: end of input, so that it terminates its pool and
   * exits, and multiprocessing's resource tracker sees every semaphore released.
   */
  async close() {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    /** @type {import('node:stream').Writable} */ (child.stdin).end();
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** @type {Map<string, Server>} */
const servers = new Map();

/**
 * The server for `method`; `pool` selects the one that holds the pools.
 * @param {PythonMethod} method
 * @param {boolean} [pool]
 */
function server(method, pool = false) {
  const key = `${method}${pool ? '-pool' : ''}`;
  let found = servers.get(key);
  if (!found) servers.set(key, (found = new Server(method)));
  return found;
}

/**
 * A variant that runs `op` of cpython/bench.py under `method`.
 * @param {PythonMethod} method
 * @param {string} op
 * @param {Record<string, unknown>} args
 * @param {{ pool?: boolean, setup?: { op: string, args: Record<string, unknown> } }} [options]
 * @returns {import('./types.mjs').Variant}
 */
export function cpython(method, op, args, options = {}) {
  const python = server(method, options.pool);
  const setupRequest = options.setup;
  return {
    name: `CPython ${method}`,
    kind: method === 'fork' ? 'cpython-fork' : 'cpython-spawn',
    async setup() {
      if (pythonVersion() === null) throw new SkipError('python3 not found');
      if (setupRequest) await python.request(setupRequest.op, setupRequest.args);
    },
    async once(scope) {
      // A hung or failed request leaves the server in an unknown state: start afresh.
      scope.onAbort(() => python.kill());
      return python.request(op, args);
    },
  };
}

/** Ends every CPython server. */
export async function closePythonServers() {
  await Promise.all([...servers.values()].map((python) => python.close()));
}
