import { Process, ref, type StartMethod } from '@mp/core';

/** Starts `fixtures/<file>.ts#<name>(...args)` under `method`; resolves with the exit code after join(). */
export async function runChild(file: string, name: string, args: unknown[], method: StartMethod = 'thread'): Promise<number | null> {
  const child = start(file, name, args, method);
  await child.join();
  return child.exitCode;
}

/** Starts `fixtures/<file>.ts#<name>(...args)` under `method` and returns the process. */
export function start(file: string, name: string, args: unknown[], method: StartMethod = 'thread'): Process {
  const child = new Process({ target: ref(new URL(`./fixtures/${file}.ts`, import.meta.url), name), args, context: method });
  child.start();
  return child;
}
