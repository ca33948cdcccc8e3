import { Process, allocateShared, ref, type SharedRegion, type StartMethod } from '@mp/core';
import { share } from '@mp/core';

const started: Process[] = [];

/** Starts `fixtures/<fixture>.ts`'s export `name` in a child; remembered for {@link cleanup}. */
export function spawn(fixture: string, name: string, args: unknown[] = [], context: StartMethod = 'thread'): Process {
  const p = new Process({ target: ref(new URL(`./fixtures/${fixture}.ts`, import.meta.url), name), args, context });
  p.start();
  started.push(p);
  return p;
}

/** Kills what a test left running (after a failure) and waits for it. */
export async function cleanup(): Promise<void> {
  for (const p of started.splice(0)) {
    if (p.isAlive()) p.kill();
    await p.join(10_000);
  }
}

/** Joins children and returns their exit codes. */
export async function exitCodes(...children: Process[]): Promise<(number | null)[]> {
  await Promise.all(children.map((p) => p.join()));
  return children.map((p) => p.exitCode);
}

/** `words` 32-bit words of zeroed shared memory, and a view of them. */
export function words(count: number): { region: SharedRegion; view: Int32Array } {
  const region = allocateShared(count * 4);
  return { region, view: region.int32() };
}

/** Polls `probe` every few ms until it is true: for states that have no wait of their own. */
export async function until(probe: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = performance.now() + limitMs;
  while (!probe()) {
    if (performance.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The shared words behind a primitive (white-box: to see, e.g., how many wait on an Event). */
export function wordsOf(primitive: object): Int32Array {
  const shared = (primitive as { [share](context: object): { state: { region: SharedRegion } } })[share]({
    crossProcess: false,
    startMethod: 'thread',
  });
  return shared.state.region.int32();
}

/** Milliseconds since `t0`, on the clock the primitives use. */
export function since(t0: number): number {
  return performance.now() - t0;
}
