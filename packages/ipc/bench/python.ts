// CPython's Queue and Pipe on this machine, measured in the same run (skipped when python3 is missing).
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, sys, time
from multiprocessing import Process, Queue, Pipe

def produce(q, n, payload):
    for i in range(n):
        q.put(i if payload is None else payload)
    q.put(None)

def consume(q, r):
    q.get()
    start = time.perf_counter()
    count = 1
    while q.get() is not None:
        count += 1
    r.put((count, time.perf_counter() - start))

def pong(c):
    while True:
        m = c.recv()
        if m == -1:
            return
        c.send(m)

def throughput(n, payload):
    q, r = Queue(), Queue()
    ps = [Process(target=consume, args=(q, r)), Process(target=produce, args=(q, n, payload))]
    for p in ps: p.start()
    count, secs = r.get()
    for p in ps: p.join()
    return count / secs

def round_trip(n):
    a, b = Pipe()
    p = Process(target=pong, args=(b,))
    p.start()
    for i in range(1000):
        a.send(i); a.recv()
    start = time.perf_counter()
    for i in range(n):
        a.send(i); a.recv()
    micros = (time.perf_counter() - start) * 1e6 / n
    a.send(-1)
    p.join()
    return micros

if __name__ == '__main__':
    n = int(sys.argv[1])
    print(json.dumps({
        'small': throughput(n, None),
        'kib': throughput(n // 4, 'x' * 1024),
        'rtt': round_trip(n // 20),
    }))
`;

export interface PythonResults {
  readonly version: string;
  readonly small: number;
  readonly kib: number;
  readonly rtt: number;
}

/** Runs the CPython script; undefined when python3 is not available. */
export function measurePython(n: number): PythonResults | undefined {
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return undefined;
  const run = spawnSync('python3', ['-c', SCRIPT, String(n)], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) {
    process.stderr.write(`CPython benchmark failed: ${run.stderr}\n`);
    return undefined;
  }
  return { version: version.stdout.trim(), ...(JSON.parse(run.stdout) as Omit<PythonResults, 'version'>) };
}
