import { runtime } from './internal/runtime.js';
import { currentProcessObject, liveChildren, type Process } from './process.js';

/**
 * The process object of the caller: `MainProcess` in the main program, the
 * child's own `Process` (same name, same class) in a child.
 *
 * Python: `multiprocessing.current_process()`.
 *
 * @returns the current process
 * @example
 * ```ts
 * export function work() { console.log(currentProcess().name); } // 'Process-1'
 * ```
 */
export function currentProcess(): Process {
  return currentProcessObject();
}

/**
 * The parent of the current process, or `null` in the main program.
 *
 * Python: `multiprocessing.parent_process()`.
 *
 * @returns a process object with the parent's name and pid, or `null`
 * @example
 * ```ts
 * export function work() { console.log(parentProcess()?.name); } // 'MainProcess'
 * ```
 */
export function parentProcess(): Process | null {
  return (runtime().slots.get('parent') as Process | undefined) ?? null;
}

/**
 * The children of the current process that are still running.
 *
 * Python: `multiprocessing.active_children()`.
 *
 * @returns started children that have not exited
 * @example
 * ```ts
 * for (const child of activeChildren()) child.terminate();
 * ```
 */
export function activeChildren(): Process[] {
  return [...liveChildren()].filter((child) => child.isAlive());
}
