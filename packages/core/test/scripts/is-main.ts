// isMain is true only in the entry module of the main program.
import { Process, isMain } from '@mp/core';
import { importedIsMain } from './is-main-helper.ts';

export function childIsMain(): void {
  process.exit(isMain(import.meta) ? 1 : 0);
}

console.log(`entry=${isMain(import.meta)} imported=${importedIsMain}`);
if (isMain(import.meta)) {
  const p = new Process({ target: childIsMain });
  p.start();
  await p.join();
  console.log(`child exitcode=${p.exitCode}`);
}
