// A program run as `npx tsx prog.ts` would run it: from a directory where `tsx`
// cannot be resolved, with a copy of @mp/core as a tarball installs it.
// The environment (which children inherit, unlike argv) names @mp/core's URL and the start method.
const coreUrl = process.env['MP_TEST_CORE']!;
const method = process.env['MP_TEST_METHOD'] as 'thread' | 'process';
const { Process, isMain, ref } = (await import(coreUrl)) as typeof import('@mp/core');

export function work(label: string): void {
  const typed: number = label.length;
  console.log(`child ran ${label} (${typed})`);
}

if (isMain(import.meta)) {
  // MP_TEST_MISSING: a target that is not there, so that the child prints a stack trace from @mp/core.
  const target = process.env['MP_TEST_MISSING'] ? ref(import.meta.url, 'missing') : work;
  const child = new Process({ target, args: [method], context: method });
  child.start();
  await child.join();
  console.log(`exit ${child.exitCode}`);
}
