import { readFileSync } from 'node:fs';

/**
 * A process's start time (field 22 of /proc/<pid>/stat, in clock ticks since
 * boot), or undefined when it does not exist. A pid plus its start time names one
 * process even after the pid is reused.
 */
export function startTime(pid: number | 'self'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split
  // after the last ')'. Then state is field 3 and starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // Exited, not yet reaped.
  return fields[19];
}

/** Whether the process `pid` that started at `start` (from {@link startTime}) still runs. */
export function isAlive(pid: number, start: string | undefined): boolean {
  if (start === undefined || start === '') return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else — then it is not the process we
    // registered (ours run as us), unless the start time below says otherwise.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return startTime(pid) === start;
}
