import { Process, ref, type StartMethod } from '@mp/core';

/** Starts a child running `fixture`'s export `name` with `args`. */
export function start(fixture: string, name: string, args: unknown[], context: StartMethod = 'thread', daemon = false): Process {
  const p = new Process({ target: ref(new URL(`./fixtures/${fixture}.ts`, import.meta.url), name), args, context, daemon });
  p.start();
  return p;
}

/** Joins every child and returns their exit codes. */
export async function joinAll(children: readonly Process[]): Promise<(number | null)[]> {
  await Promise.all(children.map((child) => child.join()));
  return children.map((child) => child.exitCode);
}

/** Milliseconds `body` took. */
export async function elapsed(body: () => unknown): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}
