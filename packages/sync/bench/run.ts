// Runs every bench/*.bench.ts of this package in turn: `pnpm --filter @mp/sync bench`.
import { readdirSync } from 'node:fs';
import { isMain } from '@mp/core';

if (isMain(import.meta)) {
  const here = new URL('./', import.meta.url);
  const only = process.argv.slice(2);
  for (const file of readdirSync(here).filter((name) => name.endsWith('.bench.ts')).sort()) {
    if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
    const bench = (await import(new URL(file, here).href)) as { main(): Promise<void> };
    await bench.main();
  }
}
