import { Process, ref, type StartMethod } from '@mp/core';

/** Starts a child running `workers.ts`'s export `name` with `args`. */
export function start(name: string, args: unknown[], context: StartMethod): Process {
  const p = new Process({ target: ref(new URL('./fixtures/workers.ts', import.meta.url), name), args, context });
  p.start();
  return p;
}

/** Whether a pid is gone (or a zombie nobody reaped yet). */
export async function isGone(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits until `check()` is true, polling; a hang guard, not a way to order events. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
