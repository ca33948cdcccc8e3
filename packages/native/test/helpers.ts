import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createSegment, segmentName, unlinkSegment } from '@mp/native';

const children: ChildProcess[] = [];
const segments: string[] = [];

/** A fresh segment of `words` zeroed 32-bit words; unlinked by {@link cleanup}. */
export function segment(words = 16): { name: string; view: Int32Array } {
  const name = segmentName();
  const view = new Int32Array(createSegment(name, words * 4));
  segments.push(name);
  return { name, view };
}

/** Remembers a segment a child created, so that {@link cleanup} unlinks it after a failure. */
export function adopt(name: string): void {
  segments.push(name);
}

export interface Child {
  readonly process: ChildProcess;
  /** The next IPC message from the child. */
  message<T = unknown>(): Promise<T>;
  /** Resolves with the exit code (or -signal number name) when the child ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Forks `fixtures/<fixture>.mjs` with `args`. The environment drops
 * MP_NATIVE_TRACKER so that a child never joins this test process's tracker
 * session by accident (a tracker session ends when its users end).
 */
export function spawn(fixture: string, args: string[] = [], options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): Child {
  const env = { ...process.env, ...options.env };
  if (options.env?.MP_NATIVE_TRACKER === undefined) delete env.MP_NATIVE_TRACKER;
  const child = fork(new URL(`./fixtures/${fixture}.mjs`, import.meta.url), args, {
    env,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const inbox: unknown[] = [];
  const readers: ((value: unknown) => void)[] = [];
  child.on('message', (value) => {
    const reader = readers.shift();
    if (reader) reader(value);
    else inbox.push(value);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    exited,
    message: <T>() =>
      new Promise<T>((resolve, reject) => {
        if (inbox.length > 0) return resolve(inbox.shift() as T);
        readers.push(resolve as (value: unknown) => void);
        void exited.then(({ code, signal }) =>
          reject(new Error(`fixture ${fixture} exited (code ${code}, signal ${signal}) before sending a message`)),
        );
      }),
  };
}

/** Kills the children a test left running and unlinks its segments. */
export async function cleanup(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  for (const name of segments.splice(0)) unlinkSegment(name);
}

/** Polls `probe` every few ms until it is true: for states that have no wait of their own. */
export async function until(probe: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = performance.now() + limitMs;
  while (!probe()) {
    if (performance.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Entries of /dev/shm made by this package (segmentName() names: mp-<pid>-<hex>). */
export function shmEntries(): string[] {
  return readdirSync('/dev/shm').filter((entry) => /^mp-\d+-[0-9a-f]+$/.test(entry));
}

export function shmExists(name: string): boolean {
  return existsSync(`/dev/shm${name}`);
}

/**
 * Whether /proc/<pid>/task/<tid>/syscall can be read here (needs
 * CONFIG_HAVE_ARCH_TRACEHOOK and ptrace access to our children); tests that need
 * {@link blockedInFutex} are skipped otherwise.
 */
export const canSeeSyscalls: boolean = (() => {
  try {
    readFileSync('/proc/self/syscall', 'latin1');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Whether thread `tid` of process `pid` is blocked in FUTEX_WAIT_BITSET on a
 * shared (non-private) futex, which only futexWait/futexWaitAsync use: glibc's
 * mutexes and condition variables, and so Node's, use private futexes.
 * Reads /proc/<pid>/task/<tid>/syscall: "202 <addr> 0x9 …" (202 = futex on x86-64,
 * 0x9 = FUTEX_WAIT_BITSET); arm64's futex is 98.
 */
export function blockedInFutex(pid: number, tid = pid): boolean {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'latin1');
  } catch {
    return false;
  }
  const [nr, , op] = line.trim().split(' ');
  const futex = process.arch === 'arm64' ? '98' : '202';
  return nr === futex && op === '0x9';
}

/** Threads of process `pid` named `name` (waiter threads are "mp-futex-wait"). */
export function threadsNamed(pid: number, name: string): number[] {
  const tids: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'latin1').trim() === name) tids.push(Number(tid));
    } catch {
      // Exited meanwhile.
    }
  }
  return tids;
}
